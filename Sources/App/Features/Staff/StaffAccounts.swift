import Fluent
import OneCardDomain
import Vapor

/// Creating staff accounts: shared by the CLI and, later, the administrators' pages.
enum StaffAccounts {
    static func create(libraryCode: String, role roleName: String, email rawEmail: String,
                       locale: SiteLocale, app: Application) async throws -> URL {
        let library = try await Library.require(code: libraryCode, on: app.db)
        guard let role = StaffMember.Role(rawValue: roleName.lowercased()) else {
            throw StaffAccountError.unknownRole(roleName)
        }
        let email = rawEmail.trimmingCharacters(in: .whitespaces).lowercased()
        guard EmailAddressRule.isValid(email) else { throw StaffAccountError.invalidEmail(rawEmail) }
        guard try await StaffMember.query(on: app.db).filter(\.$email == email).first() == nil else {
            throw StaffAccountError.emailTaken(email)
        }
        let now = app.clock.now()
        let (token, hash) = OneTimeToken.make()
        var components = URLComponents(url: app.settings.baseURL, resolvingAgainstBaseURL: false)!
        components.path = (components.path.hasSuffix("/") ? String(components.path.dropLast()) : components.path) + SiteURL.staffSetPassword.path
        components.queryItems = [URLQueryItem(name: "token", value: token)]
        let link = components.url!
        let staff = StaffMember(libraryID: try library.requireID(), email: email, role: role)
        staff.passwordTokenHash = hash
        staff.passwordTokenExpiresAt = now.addingTimeInterval(app.settings.staffPasswordLinkLifetime)
        do {
            try await app.db.transaction { db in
                try await staff.create(on: db)
                try await AuditTrail.record("staff.created", by: .system("cli"), subject: ("staff", staff.id!.uuidString),
                                            libraryID: library.id, details: ["role": role.rawValue], at: now, on: db)
                try await app.outbox.enqueueEmail(
                    template: "staff_invitation", to: email, locale: locale,
                    values: ["library": library.name(in: locale),
                             "role": app.localizer.text("staff.role.\(role.rawValue)", locale),
                             "link": link.absoluteString,
                             "hours": String(Int(app.settings.staffPasswordLinkLifetime / 3600))],
                    on: db)
            }
        } catch let error as any DatabaseError where error.isConstraintFailure {
            // Two creations raced past the check above; the unique index decided.
            throw StaffAccountError.emailTaken(email)
        }
        return link
    }
}
