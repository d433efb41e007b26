import Fluent
import Foundation
import Vapor

/// Staff sign-in, sign-out and setting a password with the emailed link, with their audit entries.
struct StaffSessionService {
    let database: any Database
    /// The same growing delay and lock as readers have: staff accounts open personal data.
    let credentials: CredentialCheck
    let passwords: PasswordHashing
    let now: Date

    private var links: OneTimeLinks<StaffMember> { OneTimeLinks(now: now) }

    /// The signed-in staff member, or nil after the refusal's delay; `email` already normalized.
    /// An unknown address takes the reader sign-in's path: its own bucket by what was typed, the decoy,
    /// the same delay (issue #12). Throws `AddressLimitError` when `ipAddress` has failed too often.
    /// The hashing place is taken before the account is read, as in the reader sign-in (issue #13 item 3).
    func signIn(email: String, password: String, ipAddress: String?) async throws -> StaffMember? {
        let (staff, outcome) = try await credentials.holdingPlace { credentials in
            let staff = try await StaffMember.query(on: database).filter(\.$email == email).first()
            let bucket = try staff.map { CredentialCheck.bucket(staff: try $0.requireID()) } ?? CredentialCheck.bucket(typed: "staff:\(email)")
            // A disabled account answers as one without a password: the decoy is verified and the answer is the same refusal.
            let outcome = try await credentials.check(password, against: staff?.disabledAt == nil ? staff?.passwordHash : nil,
                                                      throttle: bucket, address: .init(door: .staffSignIn, address: ipAddress),
                                                      owner: try staff.map { .staff(try $0.requireID()) })
            return (staff, outcome)
        }
        guard let staff, case .verified = outcome else {
            guard case .refused(let locked, let delay) = outcome else { return nil }
            try await AuditTrail.record("staff.sign_in_failed", by: .anonymous(ipAddress: ipAddress),
                                        subject: staff.map { ("staff", $0.id!.uuidString) }, libraryID: staff?.$library.id,
                                        details: ["locked": locked ? "yes" : "no"], at: now, on: database)
            try await credentials.wait(delay)
            return nil
        }
        try await database.transaction { db in
            staff.lastSignInAt = now
            try await staff.save(on: db)
            try await AuditTrail.record("staff.signed_in", by: .staff(staff.id!, ipAddress: ipAddress),
                                        subject: ("staff", staff.id!.uuidString), libraryID: staff.$library.id,
                                        at: now, on: db)
        }
        return staff
    }

    func signOut(_ staff: StaffMember, ipAddress: String?) async throws {
        try await AuditTrail.record("staff.signed_out", by: .staff(staff.id!, ipAddress: ipAddress),
                                    libraryID: staff.$library.id, at: now, on: database)
    }

    /// The staff member whose password link this is, while it is unused and unexpired.
    func passwordLink(_ token: String) async throws -> StaffMember {
        guard let staff = try await links.find(token, on: database) else { throw StaffPasswordLinkError.invalidOrExpired }
        return staff
    }

    /// Sets `staff`'s password with their link (from `passwordLink`), once: throws
    /// `NewPasswordRejected` for a password the rule refuses, and
    /// `StaffPasswordLinkError.invalidOrExpired` when another request used the link first.
    func setPassword(_ staff: StaffMember, password: String, confirmation: String, ipAddress: String?) async throws {
        try StaffPasswordRule.check(password, confirmation: confirmation, email: staff.email)
        let hash = try await passwords.hash(password)
        try await database.transaction { db in
            guard try await links.redeem(staff, on: db) else { throw StaffPasswordLinkError.invalidOrExpired }
            staff.passwordHash = hash
            staff.passwordTokenHash = nil
            staff.passwordTokenExpiresAt = nil
            try await staff.save(on: db)
            // Every session signed in with the old password ends; the page sends them to sign in afresh.
            try await WebSessions.endSessions(ofStaff: staff.requireID(), on: db)
            try await AuditTrail.record("staff.password_set", by: .staff(staff.id!, ipAddress: ipAddress),
                                        subject: ("staff", staff.id!.uuidString), libraryID: staff.$library.id,
                                        at: now, on: db)
        }
    }
}
