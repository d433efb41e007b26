import Fluent
import Foundation

/// When a library stopped offering a partner service, in its own column of `partner_services` (issue #14
/// item 6): readers can no longer enable it, while links already made stay until their readers end them.
/// A model of its own, not a field of `PartnerService`, because the seeding migration creates services
/// through `PartnerService` before the column exists, and a shipped migration is not edited.
final class PartnerServiceWithdrawal: Model, @unchecked Sendable {
    static let schema = PartnerService.schema

    @ID(key: .id) var id: UUID?
    @Field(key: "library_id") var libraryID: UUID
    @OptionalField(key: "withdrawn_at") var withdrawnAt: Date?

    init() {}

    /// The services no longer offered, consortium-wide (a handful of rows).
    static func withdrawnIDs(on database: any Database) async throws -> Set<UUID> {
        Set(try await PartnerServiceWithdrawal.query(on: database).filter(\.$withdrawnAt != nil).all().compactMap(\.id))
    }

    static func isWithdrawn(_ service: PartnerService, on database: any Database) async throws -> Bool {
        try await PartnerServiceWithdrawal.query(on: database).filter(\.$id == service.requireID()).filter(\.$withdrawnAt != nil).count() > 0
    }
}
