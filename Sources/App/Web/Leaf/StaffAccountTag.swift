import Leaf
import LeafKit
import Vapor

/// `#staffAccount("email")`, `#staffAccount("library")`, `#staffAccount("role")` — who is signed in on the staff
/// side, for the staff navigation: the account, its library and its role in the request's language. Empty
/// when nobody is signed in, or only past the password and not yet the second factor. Like `#staffMay`, it
/// reads the staff member the page already loaded.
struct StaffAccountTag: LeafTag {
    func render(_ ctx: LeafContext) throws -> LeafData {
        guard ctx.parameters.count == 1, let fact = ctx.parameters.first?.string else {
            throw LeafError(.unknownError("#staffAccount(fact) needs one of email, library, role"))
        }
        guard let request = ctx.request, let loaded = request.loadedStaff, loaded.pastSecondFactor else { return .string("") }
        let staff = loaded.staff
        switch fact {
        case "email": return .string(staff.email)
        case "library": return .string(staff.library.name(in: request.locale))
        case "role": return .string(request.t("staff.role.\(staff.role.rawValue)"))
        default: throw LeafError(.unknownError("#staffAccount(\"\(fact)\") is none of email, library, role"))
        }
    }
}
