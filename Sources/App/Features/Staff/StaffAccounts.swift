import Fluent
import OneCardDomain
import Vapor

/// Creating staff accounts and mailing their password links: shared by the CLI and the administrators'
/// staff accounts page (issue #14 item 6).
struct StaffAccounts {
    let database: any Database
    let outbox: Outbox
    let localizer: Localizer
    /// The site's address, which the emailed invitation link starts with.
    let baseURL: URL
    /// How long the invitation link sets a password (`staffPasswordLinkLifetime`).
    let linkLifetime: TimeInterval
    let now: Date

    func create(libraryCode: String, role roleName: String, email rawEmail: String, locale: SiteLocale,
                by actor: AuditActor = .system("cli")) async throws -> URL {
        let library = try await Library.require(code: libraryCode, on: database)
        guard let role = StaffMember.Role(rawValue: roleName.lowercased()) else {
            throw StaffAccountError.unknownRole(roleName)
        }
        let email = rawEmail.trimmingCharacters(in: .whitespaces).lowercased()
        guard EmailAddressRule.isValid(email) else { throw StaffAccountError.invalidEmail(rawEmail) }
        guard try await StaffMember.query(on: database).filter(\.$email == email).first() == nil else {
            throw StaffAccountError.emailTaken(email)
        }
        let (issued, link) = issueLink()
        let staff = StaffMember(libraryID: try library.requireID(), email: email, role: role)
        staff.passwordTokenHash = issued.hash
        staff.passwordTokenExpiresAt = issued.expiresAt
        do {
            try await database.transaction { db in
                try await staff.create(on: db)
                try await AuditTrail.record("staff.created", by: actor, subject: ("staff", staff.id!.uuidString),
                                            libraryID: library.id, details: ["role": role.rawValue], at: now, on: db)
                try await outbox.enqueueEmail(
                    template: "staff_invitation", to: email, locale: locale,
                    values: ["library": library.name(in: locale),
                             "role": localizer.text("staff.role.\(role.rawValue)", locale),
                             "hours": String(Int(linkLifetime / 3600))],
                    secrets: ["link": link.absoluteString], from: library, on: db)
            }
        } catch let error as any DatabaseError where error.isConstraintFailure {
            // Two creations raced past the check above; the unique index decided.
            throw StaffAccountError.emailTaken(email)
        }
        return link
    }

    /// Mails `staff` (loaded with its library) a new password-setting link; the link sent before stops working.
    /// The password stays until the link is used, so a link sent to the wrong hands cannot lock anyone out.
    func sendPasswordLink(to staff: StaffMember, locale: SiteLocale, by actor: AuditActor) async throws {
        try await database.transaction { db in
            try await sendPasswordLink(to: staff, locale: locale, by: actor, on: db)
        }
    }

    /// The same inside the caller's transaction (an account enabled again is mailed its link with the change).
    func sendPasswordLink(to staff: StaffMember, locale: SiteLocale, by actor: AuditActor, on db: any Database) async throws {
        let (issued, link) = issueLink()
        staff.passwordTokenHash = issued.hash
        staff.passwordTokenExpiresAt = issued.expiresAt
        try await staff.save(on: db)
        try await AuditTrail.record("staff.password_link_sent", by: actor, subject: ("staff", staff.id!.uuidString),
                                    libraryID: staff.$library.id, at: now, on: db)
        try await outbox.enqueueEmail(
            template: "staff_password_link", to: staff.email, locale: locale,
            values: ["library": staff.library.name(in: locale), "hours": String(Int(linkLifetime / 3600))],
            secrets: ["link": link.absoluteString], from: staff.library, on: db)
    }

    private func issueLink() -> (IssuedOneTimeLink, URL) {
        let issued = OneTimeLinks<StaffMember>(now: now).issue(lifetime: linkLifetime)
        var components = URLComponents(url: baseURL, resolvingAgainstBaseURL: false)!
        components.path = (components.path.hasSuffix("/") ? String(components.path.dropLast()) : components.path) + SiteURL.staffSetPassword.path
        components.queryItems = [URLQueryItem(name: "token", value: issued.token)]
        return (issued, components.url!)
    }
}
