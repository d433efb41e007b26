import Fluent
import OneCardDomain
import Vapor

/// Creating staff accounts: shared by the CLI and, later, the administrators' pages.
struct StaffAccounts {
    let database: any Database
    let outbox: Outbox
    let localizer: Localizer
    /// The site's address, which the emailed invitation link starts with.
    let baseURL: URL
    /// How long the invitation link sets a password (`staffPasswordLinkLifetime`).
    let linkLifetime: TimeInterval
    let now: Date

    func create(libraryCode: String, role roleName: String, email rawEmail: String, locale: SiteLocale) async throws -> URL {
        let library = try await Library.require(code: libraryCode, on: database)
        guard let role = StaffMember.Role(rawValue: roleName.lowercased()) else {
            throw StaffAccountError.unknownRole(roleName)
        }
        let email = rawEmail.trimmingCharacters(in: .whitespaces).lowercased()
        guard EmailAddressRule.isValid(email) else { throw StaffAccountError.invalidEmail(rawEmail) }
        guard try await StaffMember.query(on: database).filter(\.$email == email).first() == nil else {
            throw StaffAccountError.emailTaken(email)
        }
        let issued = OneTimeLinks<StaffMember>(now: now).issue(lifetime: linkLifetime)
        var components = URLComponents(url: baseURL, resolvingAgainstBaseURL: false)!
        components.path = (components.path.hasSuffix("/") ? String(components.path.dropLast()) : components.path) + SiteURL.staffSetPassword.path
        components.queryItems = [URLQueryItem(name: "token", value: issued.token)]
        let link = components.url!
        let staff = StaffMember(libraryID: try library.requireID(), email: email, role: role)
        staff.passwordTokenHash = issued.hash
        staff.passwordTokenExpiresAt = issued.expiresAt
        do {
            try await database.transaction { db in
                try await staff.create(on: db)
                try await AuditTrail.record("staff.created", by: .system("cli"), subject: ("staff", staff.id!.uuidString),
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
}
