import Leaf
import LeafKit
import Vapor

/// `#staffMay("group")` — whether the staff member signed in on this request may open that `StaffRoom`, so the
/// staff navigation shows each person the rooms their role opens. False when nobody is signed in, and while
/// a reviewer or administrator has given the password but not yet the second factor. Reads the
/// staff member the page's own access check loaded (`Request.staffMember()`), so it adds no query; the
/// controllers still check every request themselves.
///
/// `#staffMay("administration")` names a `StaffRoom.Section`: whether any room of that section is open, so
/// the administration row is left out for a desk clerk.
struct StaffMayTag: LeafTag {
    func render(_ ctx: LeafContext) throws -> LeafData {
        guard ctx.parameters.count == 1, let name = ctx.parameters.first?.string else {
            throw LeafError(.unknownError("#staffMay(room) needs exactly one StaffRoom name"))
        }
        if let section = StaffRoom.Section(rawValue: name) {
            guard let staff = signedIn(ctx) else { return .bool(false) }
            return .bool(StaffRoom.allCases.contains { $0.section == section && $0.isOpen(to: staff) })
        }
        guard let room = StaffRoom(rawValue: name) else {
            throw LeafError(.unknownError("#staffMay(\"\(name)\") names no StaffRoom"))
        }
        guard let staff = signedIn(ctx) else { return .bool(false) }
        return .bool(room.isOpen(to: staff))
    }

    /// The staff member past their second factor: between the password and the code nobody may open a
    /// room yet, so the layout offers only signing out (`#staffAwaitingSecondFactor`).
    private func signedIn(_ ctx: LeafContext) -> StaffMember? {
        guard let loaded = ctx.request?.loadedStaff, loaded.pastSecondFactor else { return nil }
        return loaded.staff
    }
}
