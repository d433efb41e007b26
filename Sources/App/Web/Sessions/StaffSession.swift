import Crypto
import Fluent
import Vapor

extension Request {
    private struct StaffKey: StorageKey { typealias Value = StaffMember }
    static let staffSessionKey = "staff_id"

    /// The signed-in staff member, loaded once per request.
    func staffMember() async throws -> StaffMember? {
        if let cached = storage[StaffKey.self] { return cached }
        guard hasSession, let raw = session.data[Self.staffSessionKey], let id = UUID(uuidString: raw),
              let staff = try await StaffMember.query(on: db).filter(\.$id == id).with(\.$library).first()
        else { return nil }
        storage[StaffKey.self] = staff
        return staff
    }

    /// The signed-in staff member, who must hold one of `roles` (any role when empty).
    func requireStaff(_ roles: Set<StaffMember.Role> = []) async throws -> StaffMember {
        guard let staff = try await staffMember() else { throw OneCardError.staffSignInRequired }
        guard roles.isEmpty || roles.contains(staff.role) else { throw OneCardError.staffRoleRequired }
        return staff
    }

    /// Starts a fresh session id for a newly signed-in person, so a session id planted before sign-in
    /// (session fixation) is worth nothing afterwards.
    func rotateSession(keeping keys: [String] = [LocaleMiddleware.sessionKey]) async throws {
        let kept = hasSession ? keys.compactMap { key in session.data[key].map { (key, $0) } } : []
        if hasSession, let old = session.id {
            try await application.sessions.driver.deleteSession(old, for: self).get()
        }
        session.id = nil
        session.data = SessionData()
        for (key, value) in kept { session.data[key] = value }
    }
}

/// One-time tokens in links: random, 256 bits, stored only as their SHA-256.
enum OneTimeToken {
    static func make() -> (token: String, hash: String) {
        let token = SymmetricKey(size: .bits256).withUnsafeBytes { Data($0).base64URLEncodedString() }
        return (token, hash(token))
    }

    static func hash(_ token: String) -> String {
        hex(SHA256.hash(data: Data(token.utf8)))
    }

    /// Lower-case hex, without `String(format:)` (slow, and a batch of group cards hashes thousands of tokens).
    static func hex(_ bytes: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}

extension Application {
    private struct DecoyHashKey: StorageKey { typealias Value = String }

    /// Verified when a sign-in names an unknown account, so a wrong address takes as long as a wrong
    /// password and response times do not reveal who has an account.
    var decoyPasswordHash: String {
        get { storage[DecoyHashKey.self]! }
        set { storage[DecoyHashKey.self] = newValue }
    }
}
