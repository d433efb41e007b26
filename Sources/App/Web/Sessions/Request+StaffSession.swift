import Crypto
import Fluent
import Vapor

extension Request {
    static let staffSessionKey = "staff_id"

    /// The signed-in staff member, loaded once per request.
    func staffMember() async throws -> StaffMember? {
        if let cached = storage[StorageKeys.StaffKey.self] { return cached }
        guard hasSession, let raw = session.data[Self.staffSessionKey], let id = UUID(uuidString: raw),
              let staff = try await StaffMember.query(on: db).filter(\.$id == id).with(\.$library).first()
        else { return nil }
        storage[StorageKeys.StaffKey.self] = staff
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
