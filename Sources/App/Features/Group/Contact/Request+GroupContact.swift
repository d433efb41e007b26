import Fluent
import Foundation
import SQLKit
import Vapor

extension Request {
    /// The organization whose contact is signed in on this session, if the session is still valid:
    /// the organization is approved and its contact has not changed since the sign-in.
    func groupContact() async throws -> GroupApplicationRecord? {
        if let cached = storage[StorageKeys.GroupContactKey.self] { return cached }
        guard hasSession, let value = session.data[GroupContactAccess.sessionKey] else { return nil }
        let parts = value.split(separator: ":")
        guard parts.count == 2, let id = UUID(uuidString: String(parts[0])), let generation = Int(parts[1]),
              let record = try await GroupApplicationRecord.query(on: db).filter(\.$id == id).with(\.$library).first(),
              record.status == .approved, record.contactGeneration == generation
        else {
            session.data[GroupContactAccess.sessionKey] = nil
            return nil
        }
        storage[StorageKeys.GroupContactKey.self] = record
        return record
    }

    func requireGroupContact() async throws -> GroupApplicationRecord {
        guard let record = try await groupContact() else { throw GroupApplicationError.contactSignInRequired }
        return record
    }

    func startGroupContactSession(_ record: GroupApplicationRecord) async throws {
        try await rotateSession()
        session.data[GroupContactAccess.sessionKey] = "\(try record.requireID().uuidString):\(record.contactGeneration)"
    }
}
