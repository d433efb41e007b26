import CardBarcode
import Fluent
import Foundation
import PersonalDataVault
import SQLKit
import Vapor

/// The second factor of reviewers and administrators (issue #14 item 6): TOTP (RFC 6238) enrolment,
/// the code asked after the password, ten single-use recovery codes, and an administrator's reset.
///
/// Wrong codes go through the password's machinery: each attempt is counted first at the client
/// address's staff sign-in door (`AddressLimit`) and in the account's own bucket (`SignInThrottle`: a
/// growing delay from the 4th failure, a 15-minute lock after the 10th), and a right code gives both
/// counts back. A code is accepted once: its step is written with a conditional update, so a code
/// replayed in its window, even by two requests at once, finds the step already used.
struct StaffSecondFactor {
    static let sealContext = "staff.totp"
    /// What authenticator apps list the account under.
    static let issuer = "OneCard"
    static let recoveryCodeCount = 10

    let database: any Database
    let vault: PersonalDataVault
    let now: Date
    /// `signInDelayUnit`, as for passwords.
    let delayUnit: TimeInterval
    var pause: SignInPause = .sleeping

    static func bucket(staff id: UUID) -> String { "signin:staff-code:\(id.uuidString)" }

    /// What the enrolment page shows: the secret in text, the `otpauth://` URI and its QR code (PNG).
    struct Enrolment {
        let secret: String
        let uri: String
        let qrPNG: [UInt8]
        /// The picture's width and height in pixels.
        let qrPixels: Int
    }

    /// The secret being enrolled: the one already stored (a reloaded page shows the same QR code), or a new one,
    /// stored sealed before it is shown.
    func enrolment(for staff: StaffMember) async throws -> Enrolment {
        let code: TimeBasedCode
        if let sealed = staff.totpSecretSealed, let bytes = TimeBasedCode.bytes(base32: try vault.open(sealed, context: Self.sealContext)) {
            code = TimeBasedCode(secret: bytes)
        } else {
            code = TimeBasedCode.random()
            staff.totpSecretSealed = try vault.seal(code.base32, context: Self.sealContext)
            try await staff.save(on: database)
        }
        let uri = code.uri(account: staff.email, issuer: Self.issuer)
        let qr = try QRCode(link: uri)
        let scale = 5
        return Enrolment(secret: code.base32, uri: uri, qrPNG: qr.png(scale: scale), qrPixels: (qr.size + 2 * QRCode.quietZone) * scale)
    }

    /// Confirms the enrolment with the first code and returns the ten recovery codes, shown once.
    func confirm(_ staff: StaffMember, code typed: String, ipAddress: String?) async throws -> [String] {
        let secret = try self.secret(of: staff)
        return try await attempt(staff, ipAddress: ipAddress) { () -> [String]? in
            guard let secret, let counter = secret.matchingCounter(typed, at: now) else { return nil }
            return try await database.transaction { db -> [String]? in
                let sql = db as! any SQLDatabase
                // Only one confirmation wins, and it uses up the code's step.
                let confirmed = try await sql.update(StaffMember.schema)
                    .set("totp_confirmed_at", to: SQLBind(now)).set("totp_last_step", to: SQLBind(counter))
                    .where("id", .equal, SQLBind(try staff.requireID())).where("totp_confirmed_at", .is, SQLLiteral.null)
                    .returning("id").all()
                guard !confirmed.isEmpty else { return nil }
                let codes = try await replaceRecoveryCodes(of: staff, on: db)
                try await AuditTrail.record("staff.second_factor_enrolled", by: .staff(staff.id!, ipAddress: ipAddress),
                                            subject: ("staff", staff.id!.uuidString), libraryID: staff.$library.id, at: now, on: db)
                return codes
            }
        }
    }

    /// Checks the code asked after the password: a TOTP code, or one of the unused recovery codes.
    func verify(_ staff: StaffMember, code typed: String, ipAddress: String?) async throws {
        let secret = try self.secret(of: staff)
        try await attempt(staff, ipAddress: ipAddress) { () -> Bool? in
            guard staff.totpConfirmedAt != nil, let secret else { return nil }
            let sql = database as! any SQLDatabase
            if let counter = secret.matchingCounter(typed, at: now) {
                let used = try await sql.update(StaffMember.schema).set("totp_last_step", to: SQLBind(counter))
                    .where("id", .equal, SQLBind(try staff.requireID()))
                    .where { $0.where("totp_last_step", .is, SQLLiteral.null).orWhere("totp_last_step", .lessThan, SQLBind(counter)) }
                    .returning("id").all()
                guard !used.isEmpty else { return nil }
                try await AuditTrail.record("staff.second_factor_verified", by: .staff(staff.id!, ipAddress: ipAddress),
                                            subject: ("staff", staff.id!.uuidString), libraryID: staff.$library.id, at: now, on: database)
                return true
            }
            let normalized = Self.normalizedRecoveryCode(typed)
            guard normalized.count == 10,
                  let row = try await StaffRecoveryCode.query(on: database).filter(\.$staffMember.$id == staff.requireID())
                    .filter(\.$codeHash == OneTimeToken.hash(normalized)).filter(\.$usedAt == nil).first()
            else { return nil }
            let used = try await sql.update(StaffRecoveryCode.schema).set("used_at", to: SQLBind(now))
                .where("id", .equal, SQLBind(try row.requireID())).where("used_at", .is, SQLLiteral.null)
                .returning("id").all()
            guard !used.isEmpty else { return nil }
            let left = try await StaffRecoveryCode.query(on: database).filter(\.$staffMember.$id == staff.requireID())
                .filter(\.$usedAt == nil).count()
            try await AuditTrail.record("staff.recovery_code_used", by: .staff(staff.id!, ipAddress: ipAddress),
                                        subject: ("staff", staff.id!.uuidString), libraryID: staff.$library.id,
                                        details: ["left": String(left)], at: now, on: database)
            return true
        }
    }

    /// Removes `staff`'s second factor (a lost phone): they enrol again at their next sign-in, and every
    /// session of theirs ends now.
    func reset(_ staff: StaffMember, by actor: AuditActor) async throws {
        try await database.transaction { db in
            try await Self.remove(from: staff, on: db)
            try await WebSessions.endSessions(ofStaff: staff.requireID(), on: db)
            try await AuditTrail.record("staff.second_factor_reset", by: actor, subject: ("staff", staff.id!.uuidString),
                                        libraryID: staff.$library.id, at: now, on: db)
        }
    }

    /// Forgets `staff`'s authenticator key and recovery codes (saving `staff`), inside the caller's transaction:
    /// a reset, and an account enabled again (`StaffAdministration.enable`).
    static func remove(from staff: StaffMember, on db: any Database) async throws {
        staff.totpSecretSealed = nil
        staff.totpConfirmedAt = nil
        staff.totpLastStep = nil
        try await staff.save(on: db)
        try await StaffRecoveryCode.query(on: db).filter(\.$staffMember.$id == staff.requireID()).delete()
    }

    /// Recovery codes are typed as shown (`ABCDE-FGHJK`) or without the dash, in either case.
    static func normalizedRecoveryCode(_ typed: String) -> String {
        typed.uppercased().filter { $0 != "-" && !$0.isWhitespace }
    }

    private func secret(of staff: StaffMember) throws -> TimeBasedCode? {
        guard let sealed = staff.totpSecretSealed else { return nil }
        return TimeBasedCode.bytes(base32: try vault.open(sealed, context: Self.sealContext)).map(TimeBasedCode.init(secret:))
    }

    private func replaceRecoveryCodes(of staff: StaffMember, on db: any Database) async throws -> [String] {
        try await StaffRecoveryCode.query(on: db).filter(\.$staffMember.$id == staff.requireID()).delete()
        var shown: [String] = []
        for _ in 0..<Self.recoveryCodeCount {
            // 50 random bits in base32, shown in two groups of five.
            let raw = String(TimeBasedCode.base32(SymmetricKey(size: .bits128).withUnsafeBytes { Array($0) }).prefix(10))
            try await StaffRecoveryCode(staffMemberID: staff.requireID(), codeHash: OneTimeToken.hash(raw)).create(on: db)
            shown.append(raw.prefix(5) + "-" + raw.suffix(5))
        }
        return shown
    }

    /// One counted attempt: refused at once beyond the address's limit (`AddressLimitError`), refused after
    /// the delay when the account's step is locked or `check` says no (`StaffSecondFactorError.wrongCode`).
    @discardableResult
    private func attempt<Accepted>(_ staff: StaffMember, ipAddress: String?, _ check: () async throws -> Accepted?) async throws -> Accepted {
        let address = AddressLimit.Attempt(door: .staffSignIn, address: ipAddress)
        let addresses = AddressLimit(database: database, now: now)
        try await addresses.reserve(address)
        let throttle = SignInThrottle(database: database, now: now, delayUnit: delayUnit)
        let bucket = Self.bucket(staff: try staff.requireID())
        let number = try await throttle.reserve(bucket)
        let locked = number > SignInThrottle.lockAfter
        if !locked, let accepted = try await check() {
            try await throttle.giveBack(bucket)
            try await addresses.giveBack(address)
            return accepted
        }
        try await AuditTrail.record("staff.second_factor_failed", by: .staff(staff.id!, ipAddress: ipAddress),
                                    subject: ("staff", staff.id!.uuidString), libraryID: staff.$library.id,
                                    details: ["locked": locked ? "yes" : "no"], at: now, on: database)
        try await pause.wait(throttle.delay(afterAttempt: number))
        throw StaffSecondFactorError.wrongCode
    }
}
