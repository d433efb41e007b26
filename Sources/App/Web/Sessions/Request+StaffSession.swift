import Crypto
import Fluent
import Vapor

extension Request {
    static let staffSessionKey = "staff_id"
    /// Holds the staff id once the second factor is done in this session (issue #14 item 6). A session
    /// whose password step is done but not this one is signed in as nobody.
    static let staffSecondFactorKey = "staff_second_factor"

    /// The signed-in staff member, loaded once per request: an account that is not disabled, and whose
    /// role's second factor was done in this session. A session signed in before second factors existed
    /// lacks the mark, so a reviewer or administrator of such a session gives the code before going on.
    func staffMember() async throws -> StaffMember? {
        guard let staff = try await staffPastPassword(), hasPassedSecondFactor(staff) else { return nil }
        return staff
    }

    /// A staff member whose password was right in this session but whose second factor is still asked (or
    /// not yet enrolled), or nil.
    func staffAwaitingSecondFactor() async throws -> StaffMember? {
        guard let staff = try await staffPastPassword(), !hasPassedSecondFactor(staff) else { return nil }
        return staff
    }

    /// What the staff layout's tags (`#staffMay`, `#staffAccount`, `#staffAwaitingSecondFactor`) know of who is
    /// signed in: the account this request already loaded, and whether its second factor is done. Tags cannot
    /// query, so nothing is loaded here; a page that checked nobody shows no staff navigation.
    var loadedStaff: (staff: StaffMember, pastSecondFactor: Bool)? {
        guard let staff = storage[StorageKeys.StaffKey.self], staff.disabledAt == nil else { return nil }
        return (staff, hasPassedSecondFactor(staff))
    }

    /// Whether `staff` may act in this session: a role without a second factor at once, the others once the
    /// factor was done in this session.
    private func hasPassedSecondFactor(_ staff: StaffMember) -> Bool {
        !staff.role.requiresSecondFactor || (hasSession && session.data[Self.staffSecondFactorKey] == staff.id?.uuidString)
    }

    /// Where a staff member who is between the password and the second factor goes: the code, or the
    /// enrolment for an account without one; nil when nobody is waiting.
    func staffSecondFactorStep() async throws -> SiteURL? {
        guard let staff = try await staffAwaitingSecondFactor() else { return nil }
        return staff.totpConfirmedAt == nil ? .staffSecondFactorEnrol : .staffSecondFactor
    }

    /// The account this session's password step signed in, unless it has been disabled since.
    private func staffPastPassword() async throws -> StaffMember? {
        let staff: StaffMember
        if let cached = storage[StorageKeys.StaffKey.self] {
            staff = cached
        } else {
            guard hasSession, let raw = session.data[Self.staffSessionKey], let id = UUID(uuidString: raw),
                  let found = try await StaffMember.query(on: db).filter(\.$id == id).with(\.$library).first()
            else { return nil }
            storage[StorageKeys.StaffKey.self] = found
            staff = found
        }
        return staff.disabledAt == nil ? staff : nil
    }

    /// The signed-in staff member, who must hold one of `roles` (any role when empty).
    func requireStaff(_ roles: Set<StaffMember.Role> = []) async throws -> StaffMember {
        guard let staff = try await staffMember() else {
            throw try await staffAwaitingSecondFactor() == nil ? OneCardError.staffSignInRequired : OneCardError.staffSecondFactorRequired
        }
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
        // A token of its own for the signed-in session, never the anonymous cookie's (`AnonymousCSRFCookie`).
        session.data[CSRFMiddleware.sessionKey] = CSRFMiddleware.newSessionToken()
    }
}
