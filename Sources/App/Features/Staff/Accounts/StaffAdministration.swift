import Fluent
import Foundation
import OneCardDomain

/// What an administrator does to staff accounts from the web (issue #14 item 6): a library administrator
/// on their own library's accounts, the consortium administrator on every library's. Every change is
/// audited with the administrator as its actor.
///
/// Nobody acts on their own account here (`StaffAdministrationError.ownAccount`): changing one's own role,
/// disabling oneself or resetting one's own second factor is left to another administrator, so an
/// administrator cannot remove their own (possibly the library's last) admin rights by accident.
struct StaffAdministration {
    let accounts: StaffAccounts
    let secondFactor: StaffSecondFactor
    /// The signed-in administrator, loaded with its library.
    let administrator: StaffMember
    let ipAddress: String?

    static let roles: Set<StaffMember.Role> = [.admin, .consortiumAdmin]

    private var database: any Database { accounts.database }
    private var now: Date { accounts.now }
    private var actor: AuditActor { .staff(administrator.id!, ipAddress: ipAddress) }
    private var actsOnAllLibraries: Bool { administrator.role == .consortiumAdmin }

    /// The roles this administrator may give: a library administrator gives every role but the consortium's.
    var grantableRoles: [StaffMember.Role] {
        StaffMember.Role.allCases.filter { actsOnAllLibraries || $0 != .consortiumAdmin }
    }

    /// The accounts this administrator manages, by library then email.
    func list() async throws -> [StaffMember] {
        var query = StaffMember.query(on: database).with(\.$library)
        if !actsOnAllLibraries { query = query.filter(\.$library.$id == administrator.$library.id) }
        return try await query.all().sorted { ($0.library.position, $0.email) < ($1.library.position, $1.email) }
    }

    /// Creates the account and mails its invitation (the CLI's path, with this administrator as actor).
    /// A library administrator invites into their own library only; `libraryCode` is the consortium administrator's choice.
    func invite(email: String, role: StaffMember.Role, libraryCode: String?, locale: SiteLocale) async throws {
        try checkGrantable(role)
        let code = actsOnAllLibraries ? (libraryCode ?? administrator.library.code) : administrator.library.code
        do {
            _ = try await accounts.create(libraryCode: code, role: role.rawValue, email: email, locale: locale, by: actor)
        } catch let error as StaffAccountError {
            switch error {
            case .invalidEmail: throw StaffAdministrationError.invalidEmail
            case .emailTaken: throw StaffAdministrationError.emailTaken
            case .unknownLibrary, .unknownRole: throw StaffAdministrationError.outsideLibrary
            }
        }
    }

    func changeRole(of id: UUID, to role: StaffMember.Role) async throws -> StaffMember {
        let staff = try await target(id)
        try checkGrantable(role)
        // A consortium administrator's account is changed only by a consortium administrator.
        try checkGrantable(staff.role)
        let previous = staff.role
        guard previous != role else { return staff }
        try await database.transaction { db in
            staff.role = role
            try await staff.save(on: db)
            try await AuditTrail.record("staff.role_changed", by: actor, subject: ("staff", staff.id!.uuidString),
                                        libraryID: staff.$library.id, details: ["from": previous.rawValue, "to": role.rawValue],
                                        at: now, on: db)
        }
        return staff
    }

    /// Disables the account: it cannot sign in, and every session of theirs ends at once.
    func disable(_ id: UUID) async throws -> StaffMember {
        let staff = try await target(id)
        try checkGrantable(staff.role)
        guard staff.disabledAt == nil else { return staff }
        try await database.transaction { db in
            staff.disabledAt = now
            staff.passwordTokenHash = nil
            staff.passwordTokenExpiresAt = nil
            try await staff.save(on: db)
            try await WebSessions.endSessions(ofStaff: staff.requireID(), on: db)
            try await AuditTrail.record("staff.disabled", by: actor, subject: ("staff", staff.id!.uuidString),
                                        libraryID: staff.$library.id, at: now, on: db)
        }
        return staff
    }

    /// Enables a disabled account again (issue #14 item 6), under the same rules as disabling it. Nothing
    /// it held when it was disabled is trusted again: the old password is cleared and a new password link
    /// is mailed to the account's address, and the authenticator key and recovery codes are removed, so an
    /// admin or reviewer enrols a new one at the next sign-in. An account is disabled when someone leaves
    /// or is suspected of misuse; whoever held the old password or phone since then cannot come back with it.
    func enable(_ id: UUID, locale: SiteLocale) async throws -> StaffMember {
        let staff = try await target(id)
        try checkGrantable(staff.role)
        guard staff.disabledAt != nil else { return staff }
        try await database.transaction { db in
            staff.disabledAt = nil
            staff.passwordHash = nil
            try await StaffSecondFactor.remove(from: staff, on: db)
            try await AuditTrail.record("staff.enabled", by: actor, subject: ("staff", staff.id!.uuidString),
                                        libraryID: staff.$library.id, at: now, on: db)
            try await accounts.sendPasswordLink(to: staff, locale: locale, by: actor, on: db)
        }
        return staff
    }

    func sendPasswordLink(to id: UUID, locale: SiteLocale) async throws -> StaffMember {
        let staff = try await target(id)
        try checkGrantable(staff.role)
        guard staff.disabledAt == nil else { throw StaffAdministrationError.outsideLibrary }
        try await accounts.sendPasswordLink(to: staff, locale: locale, by: actor)
        return staff
    }

    func resetSecondFactor(of id: UUID) async throws -> StaffMember {
        let staff = try await target(id)
        try checkGrantable(staff.role)
        try await secondFactor.reset(staff, by: actor)
        return staff
    }

    /// Another account this administrator manages (loaded with its library). One outside their library
    /// answers as a missing one.
    private func target(_ id: UUID) async throws -> StaffMember {
        guard let staff = try await StaffMember.query(on: database).filter(\.$id == id).with(\.$library).first(),
              actsOnAllLibraries || staff.$library.id == administrator.$library.id
        else { throw StaffAdministrationError.outsideLibrary }
        guard staff.id != administrator.id else { throw StaffAdministrationError.ownAccount }
        return staff
    }

    private func checkGrantable(_ role: StaffMember.Role) throws {
        guard grantableRoles.contains(role) else { throw StaffAdministrationError.roleNotAllowed }
    }
}
