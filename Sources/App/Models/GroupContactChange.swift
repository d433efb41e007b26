import Fluent
import Foundation

/// A change of an organization's contact person (負責人員如有異動，應通知本館變更相關資料), recorded by
/// library staff: who it was, who it is now, who recorded it and why.
final class GroupContactChange: Model, @unchecked Sendable {
    static let schema = "group_contact_changes"

    @ID(key: .id) var id: UUID?
    @Parent(key: "application_id") var application: GroupApplicationRecord
    @Field(key: "previous_name") var previousName: String
    @Field(key: "previous_title") var previousTitle: String
    @Field(key: "previous_phone") var previousPhone: String
    @Field(key: "previous_email") var previousEmail: String
    @Field(key: "new_name") var newName: String
    @Field(key: "new_title") var newTitle: String
    @Field(key: "new_phone") var newPhone: String
    @Field(key: "new_email") var newEmail: String
    /// How the organization told the library (e.g. the letter number of its notice).
    @Field(key: "note") var note: String
    @Field(key: "changed_at") var changedAt: Date
    @Field(key: "changed_by") var changedBy: UUID

    init() {}
}
