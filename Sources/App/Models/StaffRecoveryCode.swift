import Fluent
import Foundation

/// One of a staff member's ten single-use recovery codes for the second factor, stored as a SHA-256 hash
/// (the codes are random, 50 bits each, and shown only once).
final class StaffRecoveryCode: Model, @unchecked Sendable {
    static let schema = "staff_recovery_codes"

    @ID(key: .id) var id: UUID?
    @Parent(key: "staff_member_id") var staffMember: StaffMember
    @Field(key: "code_hash") var codeHash: String
    @OptionalField(key: "used_at") var usedAt: Date?

    init() {}

    init(staffMemberID: UUID, codeHash: String) {
        self.$staffMember.id = staffMemberID
        self.codeHash = codeHash
    }
}
