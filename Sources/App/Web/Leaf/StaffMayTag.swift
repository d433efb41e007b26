import Leaf
import LeafKit
import Vapor

/// `#staffMay("group")` — whether the staff member signed in on this request may open that `StaffRoom`, so the
/// staff navigation shows each person the rooms their role opens. False when nobody is signed in. Reads the
/// staff member the page's own access check loaded (`Request.staffMember()`), so it adds no query; the
/// controllers still check every request themselves.
struct StaffMayTag: LeafTag {
    func render(_ ctx: LeafContext) throws -> LeafData {
        guard ctx.parameters.count == 1, let name = ctx.parameters.first?.string else {
            throw LeafError(.unknownError("#staffMay(room) needs exactly one StaffRoom name"))
        }
        guard let room = StaffRoom(rawValue: name) else {
            throw LeafError(.unknownError("#staffMay(\"\(name)\") names no StaffRoom"))
        }
        guard let staff = ctx.request?.storage[StorageKeys.StaffKey.self] else { return .bool(false) }
        return .bool(room.isOpen(to: staff))
    }
}
