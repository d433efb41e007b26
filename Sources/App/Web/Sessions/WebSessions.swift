import Crypto
import Fluent
import Foundation
import Vapor

/// Sessions in the database, so several instances share them. Unlike Fluent's stock driver, the table
/// holds only a hash of each cookie's value, and a session expires `lifetime` after its last request
/// (every request the site answers touches the session: the locale and CSRF checks read it); hourly
/// housekeeping deletes expired rows, so an abandoned visit leaves nothing behind for long.
///
/// Each row also names whom it signs in (`patron_id`, `staff_id`), taken from the session's data each
/// time the driver writes it, so every way of signing in (password, Taipei Pass, …) is covered without
/// telling the driver, and a password change can end all of that person's sessions
/// (`endSessions(ofPatron:on:)`, `endSessions(ofStaff:on:)`).
struct WebSessions: AsyncSessionDriver {
    /// As long as the session cookie lives.
    static let lifetime: TimeInterval = 8 * 3600

    func createSession(_ data: SessionData, for request: Request) async throws -> SessionID {
        let id = SessionID(string: Self.newSessionID())
        try await WebSession(keyHash: Self.hash(id), data: data, expiresAt: request.now.addingTimeInterval(Self.lifetime),
                             patronID: Self.patronID(in: data), staffID: Self.staffID(in: data))
            .create(on: request.db)
        return id
    }

    /// A request that changes nothing in its session writes it only to move its end, and only when the
    /// last move is older than this: a reader going through pages makes one write a minute, not one per page.
    /// A session so ends between `lifetime` and `lifetime` plus this after its last request.
    static let touchInterval: TimeInterval = 60

    /// The session as `readSession` found it, for `updateSession` to compare with.
    struct Read {
        let data: [String: String]
        let expiresAt: Date
    }

    func readSession(_ sessionID: SessionID, for request: Request) async throws -> SessionData? {
        let session = try await WebSession.query(on: request.db)
            .filter(\.$keyHash == Self.hash(sessionID))
            .filter(\.$expiresAt > request.now)
            .first()
        if let session {
            request.storage[StorageKeys.ReadSessionKey.self] = Read(data: session.data.snapshot, expiresAt: session.expiresAt)
        }
        return session?.data
    }

    func updateSession(_ sessionID: SessionID, to data: SessionData, for request: Request) async throws -> SessionID {
        if let read = request.storage[StorageKeys.ReadSessionKey.self], read.data == data.snapshot,
           read.expiresAt.addingTimeInterval(-Self.lifetime) > request.now.addingTimeInterval(-Self.touchInterval) {
            return sessionID
        }
        try await WebSession.query(on: request.db)
            .filter(\.$keyHash == Self.hash(sessionID))
            .set(\.$data, to: data)
            .set(\.$patronID, to: Self.patronID(in: data))
            .set(\.$staffID, to: Self.staffID(in: data))
            .set(\.$expiresAt, to: request.now.addingTimeInterval(Self.lifetime))
            .update()
        return sessionID
    }

    func deleteSession(_ sessionID: SessionID, for request: Request) async throws {
        try await WebSession.query(on: request.db).filter(\.$keyHash == Self.hash(sessionID)).delete()
    }

    /// Deletes every expired session (hourly housekeeping).
    static func deleteExpired(now: Date, on database: any Database) async throws {
        try await WebSession.query(on: database).filter(\.$expiresAt <= now).delete()
    }

    /// Ends every session signed in as this reader, on the caller's transaction (a password change or
    /// reset). The session making a change is ended too; its controller starts a new one.
    static func endSessions(ofPatron id: UUID, on database: any Database) async throws {
        try await WebSession.query(on: database).filter(\.$patronID == id).delete()
    }

    /// Ends every session signed in as this staff member, on the caller's transaction.
    static func endSessions(ofStaff id: UUID, on database: any Database) async throws {
        try await WebSession.query(on: database).filter(\.$staffID == id).delete()
    }

    private static func patronID(in data: SessionData) -> UUID? {
        data[ReaderSessionController.sessionKey].flatMap(UUID.init(uuidString:))
    }

    private static func staffID(in data: SessionData) -> UUID? {
        data[Request.staffSessionKey].flatMap(UUID.init(uuidString:))
    }

    /// Every request with a session cookie computes this; `OneTimeToken.hash` writes the hex without
    /// `String(format:)` per byte, which cost more than the digest itself (issue #13 item 3).
    static func hash(_ id: SessionID) -> String {
        OneTimeToken.hash(id.string)
    }

    private static func newSessionID() -> String {
        SymmetricKey(size: .bits256).withUnsafeBytes { Data($0).base64URLEncodedString() }
    }
}
