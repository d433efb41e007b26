import Fluent
import Foundation

/// When a library's administrator closed a service desk, in its own column of `service_desks` (issue #14
/// item 6): a closed desk is no longer named where a reader is told to complete an application, nor in the
/// directory; the row stays, for the records that name it. A model of its own, not a field of
/// `ServiceDesk`, because the seeding migration creates desks through `ServiceDesk` before the column
/// exists, and a shipped migration is not edited (as `LibraryMailSettings`).
final class ServiceDeskClosure: Model, @unchecked Sendable {
    static let schema = ServiceDesk.schema

    @ID(key: .id) var id: UUID?
    @Field(key: "library_id") var libraryID: UUID
    @OptionalField(key: "closed_at") var closedAt: Date?

    init() {}

    /// The closed desks of the consortium (a handful of rows), to leave out of what readers see.
    static func closedIDs(on database: any Database) async throws -> Set<UUID> {
        Set(try await ServiceDeskClosure.query(on: database).filter(\.$closedAt != nil).all().compactMap(\.id))
    }

    /// `library`'s open desks, in their order.
    static func openDesks(of library: UUID, on database: any Database) async throws -> [ServiceDesk] {
        let closed = try await closedIDs(on: database)
        return try await ServiceDesk.query(on: database).filter(\.$library.$id == library).sort(\.$position).all()
            .filter { !closed.contains($0.id!) }
    }
}
