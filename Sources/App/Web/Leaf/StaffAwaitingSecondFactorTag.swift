import Leaf
import LeafKit
import Vapor

/// `#staffAwaitingSecondFactor()` — whether this page is shown to a reviewer or administrator between the
/// password and the second factor (enrolment or code). The staff layout then shows no room of their role,
/// only signing out, so nothing suggests the back office is open before the factor is done. Like
/// `#staffMay`, it reads the staff member the page already loaded.
struct StaffAwaitingSecondFactorTag: LeafTag {
    func render(_ ctx: LeafContext) throws -> LeafData {
        guard ctx.parameters.isEmpty else {
            throw LeafError(.unknownError("#staffAwaitingSecondFactor() takes no parameters"))
        }
        guard let loaded = ctx.request?.loadedStaff else { return .bool(false) }
        return .bool(!loaded.pastSecondFactor)
    }
}
