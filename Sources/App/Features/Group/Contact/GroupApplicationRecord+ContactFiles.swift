import Fluent
import Foundation

extension GroupApplicationRecord {
    /// The organization's batch `id`. Another organization's batch is `OneCardError.notFound`, not
    /// forbidden: a contact is not told that it exists.
    func batch(_ id: UUID, on database: any Database) async throws -> GroupBatch {
        guard let batch = try await GroupBatch.query(on: database).filter(\.$id == id).filter(\.$application.$id == requireID()).first()
        else { throw OneCardError.notFound }
        return batch
    }

    /// The organization's upload `id` that was returned with errors, or was clean with nobody left to
    /// register (an accepted one became a batch and is shown as that); `OneCardError.notFound` otherwise.
    func returnedUpload(_ id: UUID, on database: any Database) async throws -> GroupRosterUpload {
        guard let upload = try await GroupRosterUpload.query(on: database).filter(\.$id == id)
            .filter(\.$application.$id == requireID()).filter(\.$outcome ~~ [.returned, .nobodyToRegister]).first()
        else { throw OneCardError.notFound }
        return upload
    }
}
