import Fluent
import Foundation

/// What a library's emails carry (issue #17 item 5), in its own columns of `libraries`. A model of its own,
/// not fields of `Library`, because the seeding migrations create libraries through `Library` before these
/// columns exist, and a shipped migration is not edited.
final class LibraryMailSettings: Model, @unchecked Sendable {
    static let schema = Library.schema

    @ID(key: .id) var id: UUID?
    /// The address its emails come from (`no-reply@tpml.gov.taipei`); nil uses the configured `ONECARD_MAIL_FROM` address.
    @OptionalField(key: "mail_from") var mailFrom: String?
    /// Where readers' replies to its emails go (its service desk); nil sends no Reply-To.
    @OptionalField(key: "mail_reply_to") var mailReplyTo: String?
    /// Its own page listing branches with their opening hours, linked from the application email.
    @OptionalField(key: "branches_url") var branchesURL: String?

    init() {}

    static func of(_ library: Library, on database: any Database) async throws -> LibraryMailSettings {
        guard let settings = try await LibraryMailSettings.find(try library.requireID(), on: database) else {
            throw StaffAccountError.unknownLibrary(library.code)
        }
        return settings
    }
}
