import Fluent
import Foundation

/// Whose password a check verifies, so that a hash made at another cost can be replaced by the new one
/// after a successful check (`CredentialCheck.check(… owner:)`).
enum PasswordOwner: Sendable {
    case patron(UUID)
    case staff(UUID)
    case sip2Account(UUID)

    /// Stores `new` in place of `old`, only while the row still holds `old`: a password changed meanwhile (a
    /// reset, a rotation) is never overwritten by the hash of the password it replaced.
    func replaceHash(_ old: String, with new: String, on database: any Database) async throws {
        switch self {
        case .patron(let id):
            try await Patron.query(on: database).filter(\.$id == id).filter(\.$passwordHash == old)
                .set(\.$passwordHash, to: new).update()
        case .staff(let id):
            try await StaffMember.query(on: database).filter(\.$id == id).filter(\.$passwordHash == old)
                .set(\.$passwordHash, to: new).update()
        case .sip2Account(let id):
            try await SIP2AccountRecord.query(on: database).filter(\.$id == id).filter(\.$passwordHash == old)
                .set(\.$passwordHash, to: new).update()
        }
    }
}
