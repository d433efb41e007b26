import Fluent
import Foundation
import OneCardDomain
import Vapor

/// What a signed-in reader changes in 我的帳戶, and what staff decide on their requests.
/// Every change is audited; changes a partner holds a copy of are queued for the linked partners in
/// the same transaction.
struct PatronAccountService {
    let database: any Database
    /// The sign-in's own check (lock, decoy, counting), so this page is no side door for guessing.
    let credentials: CredentialCheck
    let passwords: PasswordHashing
    let passwordRule: ReaderPasswordRule
    let outbox: Outbox
    /// Where `FileMailer` drops mail, to remove an erased reader's undelivered files after the commit.
    let mailDropDirectory: String
    let logger: Logger
    let now: Date

    enum Failure: Error, Equatable {
        /// Field name → error code (`apply.error.<code>`).
        case invalid([String: String])
        case requestAlreadyOpen
    }

    private func actor(_ patron: Patron, _ ipAddress: String?) -> AuditActor {
        AuditActor(type: "reader", id: patron.id?.uuidString, ipAddress: ipAddress)
    }

    /// Checks the current password the way sign-in does, including its lock: a stolen session cannot
    /// be used to guess the password through this form either.
    func verifyCurrentPassword(_ password: String, of patron: Patron, ipAddress: String?) async throws -> Bool {
        let outcome = try await credentials.check(password, against: patron.passwordHash,
                                                  throttle: CredentialCheck.bucket(patron: try patron.requireID()),
                                                  owner: .patron(try patron.requireID()))
        if outcome == .verified { return true }
        try await AuditTrail.record("reader.reauthentication_failed", by: actor(patron, ipAddress), subject: ("patron", patron.id!.uuidString),
                                    libraryID: patron.$library.id, at: now, on: database)
        return false
    }

    func changePassword(_ patron: Patron, current: String, new: String, confirmation: String, ipAddress: String?) async throws {
        var errors: [String: String] = [:]
        if current.isEmpty {
            errors["currentPassword"] = "current_password_required"
        }
        errors.merge(try passwordRule.errors(new, confirmation: confirmation, for: patron)) { $1 }
        guard errors.isEmpty else { throw Failure.invalid(errors) }
        guard try await verifyCurrentPassword(current, of: patron, ipAddress: ipAddress) else {
            throw Failure.invalid(["currentPassword": "current_password_wrong"])
        }
        let hash = try await passwords.hash(new)
        try await database.transaction { db in
            patron.passwordHash = hash
            try await patron.save(on: db)
            try await PasswordResetToken.query(on: db).filter(\.$patron.$id == patron.requireID()).filter(\.$usedAt == nil)
                .set(\.$usedAt, to: now).update()
            // Whoever else holds a session (a forgotten browser, a stolen cookie) is signed out with
            // the old password; this browser gets a new session from `AccountController`.
            try await WebSessions.endSessions(ofPatron: patron.requireID(), on: db)
            try await AuditTrail.record("reader.password_changed", by: actor(patron, ipAddress), subject: ("patron", patron.id!.uuidString),
                                        libraryID: patron.$library.id, at: now, on: db)
            if let email = patron.email {
                try await notify(patron, template: "password_changed", to: email, on: db)
            }
        }
    }

    /// Corrects the mobile number and email. A new email needs the current password: whoever controls
    /// the email controls password resets.
    func updateContact(_ patron: Patron, mobile rawMobile: String, email rawEmail: String, currentPassword: String,
                       ipAddress: String?) async throws {
        var errors: [String: String] = [:]
        let mobileText = rawMobile.trimmingCharacters(in: .whitespaces)
        let mobile = mobileText.isEmpty ? nil : PhoneNumber.mobile(mobileText)
        if !mobileText.isEmpty, mobile == nil { errors["mobile"] = "mobile_invalid" }
        let email = rawEmail.trimmingCharacters(in: .whitespaces)
        if email.isEmpty {
            errors["email"] = "email_required"
        } else if !EmailAddressRule.isValid(email) {
            errors["email"] = "email_invalid"
        }
        let emailChanged = email.lowercased() != (patron.email ?? "").lowercased()
        if emailChanged, currentPassword.isEmpty, errors["email"] == nil {
            errors["currentPassword"] = "current_password_required"
        }
        guard errors.isEmpty else { throw Failure.invalid(errors) }
        if emailChanged, try await !verifyCurrentPassword(currentPassword, of: patron, ipAddress: ipAddress) {
            throw Failure.invalid(["currentPassword": "current_password_wrong"])
        }
        guard emailChanged || mobile != patron.mobile else { return }
        let oldEmail = patron.email
        try await database.transaction { db in
            var changed: [String] = []
            if mobile != patron.mobile { changed.append("mobile") }
            if emailChanged { changed.append("email") }
            patron.mobile = mobile
            patron.email = email
            try await patron.save(on: db)
            try await AuditTrail.record("reader.contact_changed", by: actor(patron, ipAddress), subject: ("patron", patron.id!.uuidString),
                                        libraryID: patron.$library.id, details: ["fields": changed.joined(separator: ",")], at: now, on: db)
            try await PartnerEvents.enqueueForLinkedPartners(.patronUpdated, patron: patron, now: now, on: db)
            // The old address hears of the change, so a hijacked account does not go unnoticed.
            if emailChanged, let oldEmail {
                try await notify(patron, template: "email_changed", to: oldEmail, on: db)
            }
        }
    }

    func request(_ kind: PatronRequest.Kind, for patron: Patron, requestedName: String? = nil, note: String,
                 ipAddress: String?) async throws -> PatronRequest {
        let note = note.trimmingCharacters(in: .whitespacesAndNewlines)
        var name: String?
        if kind == .nameChange {
            // The rule of every personal name (PersonalText): no control characters (CR/LF), no < >, NFC.
            let cleaned = PersonalText.clean(requestedName ?? "", maximumLength: CardApplicationRules.maximumNameLength)
            var errors: [String: String] = [:]
            switch cleaned {
            case .failure(.empty): errors["name"] = "name_required"
            case .failure(.invalid):
                errors["name"] = PersonalText.normalized(requestedName ?? "").count > CardApplicationRules.maximumNameLength
                    ? "name_too_long" : "name_invalid"
            case .success(let clean) where clean == patron.name: errors["name"] = "name_unchanged"
            case .success(let clean): name = clean
            }
            guard errors.isEmpty else { throw Failure.invalid(errors) }
        }
        guard note.count <= 500 else { throw Failure.invalid(["note": "note_too_long"]) }
        let request = PatronRequest(patronID: try patron.requireID(), kind: kind, requestedName: name, note: note.isEmpty ? nil : note, now: now)
        do {
            try await database.transaction { db in
                try await request.create(on: db)
                try await AuditTrail.record("reader.\(kind.rawValue)_requested", by: actor(patron, ipAddress),
                                            subject: ("patron", patron.id!.uuidString), libraryID: patron.$library.id, at: now, on: db)
            }
        } catch let error as any DatabaseError where error.isConstraintFailure {
            throw Failure.requestAlreadyOpen
        }
        return request
    }

    func openRequests(of patron: Patron) async throws -> [PatronRequest] {
        try await PatronRequest.query(on: database).filter(\.$patron.$id == patron.requireID()).filter(\.$status == .pending).all()
    }

    /// Withdraws one consent. A partner's link consent ends the link (停用); the card's own privacy
    /// statement cannot be withdrawn while the card exists, so withdrawing it asks for erasure.
    enum Withdrawal: Equatable { case partnerDisabled(String), erasureRequested, alreadyWithdrawn }

    func withdrawConsent(_ recordID: UUID, of patron: Patron, ipAddress: String?) async throws -> Withdrawal {
        guard let record = try await ConsentRecord.query(on: database).filter(\.$id == recordID)
            .filter(\.$patron.$id == patron.requireID()).with(\.$document).first()
        else { throw OneCardError.notFound }
        guard record.withdrawnAt == nil else { return .alreadyWithdrawn }
        if let link = try await PartnerLink.query(on: database).filter(\.$consentRecord.$id == recordID).with(\.$partnerService).first() {
            try await PartnerLinkService(database: database, now: now).disable(link.partnerService, for: patron, ipAddress: ipAddress)
            return .partnerDisabled(link.partnerService.code)
        }
        if record.document.code.hasSuffix("_PRIVACY") {
            do {
                _ = try await request(.deletion, for: patron, note: "", ipAddress: ipAddress)
            } catch Failure.requestAlreadyOpen {}
            return .erasureRequested
        }
        try await database.transaction { db in
            record.withdrawnAt = now
            try await record.save(on: db)
            // A sign-in through OneCard (OpenID Connect): the client's tokens for this reader end with the consent.
            if record.document.code.hasPrefix(OIDCClients.consentCodePrefix) {
                try await OIDCGrants.revokeAll(patronID: patron.requireID(), consentCode: record.document.code, at: now, on: db)
            }
            try await AuditTrail.record("consent.withdrawn", by: actor(patron, ipAddress), subject: ("patron", patron.id!.uuidString),
                                        libraryID: patron.$library.id, details: ["document": record.document.code], at: now, on: db)
        }
        return .alreadyWithdrawn
    }

    // MARK: Staff decisions

    /// A desk may decide a name change (after seeing the person's ID); erasure is an administrator's decision.
    static func mayDecide(_ kind: PatronRequest.Kind, by staff: StaffMember) -> Bool {
        kind == .nameChange || staff.role == .admin
    }

    /// `staff`'s decision on the pending request `id` of a reader of their own library; `approve` is nil
    /// when the form named no decision. The refusals come in the order the page has always given them:
    /// a request that is not there (or another library's) is not found, one the staff member may not
    /// decide is forbidden, and only then is a missing decision refused.
    func decide(requestID id: UUID, approve: Bool?, reason: String, by staff: StaffMember, ipAddress: String?) async throws {
        guard let request = try await PatronRequest.query(on: database).filter(\.$id == id).filter(\.$status == .pending)
            .with(\.$patron).first(),
              PatronAuthority.mayChange(request.patron, staff: staff)
        else { throw OneCardError.notFound }
        guard Self.mayDecide(request.kind, by: staff) else { throw OneCardError.staffRoleRequired }
        guard let approve else { throw PatronRequestError.decisionMissing }
        if approve, request.kind == .nameChange,
           case .failure = PersonalText.clean(request.requestedName ?? "", maximumLength: CardApplicationRules.maximumNameLength) {
            throw PatronRequestError.requestedNameInvalid
        }
        try await decide(request, approve: approve, reason: reason.trimmingCharacters(in: .whitespacesAndNewlines), by: staff,
                         ipAddress: ipAddress)
    }

    func decide(_ request: PatronRequest, approve: Bool, reason: String, by staff: StaffMember, ipAddress: String?) async throws {
        let patron = request.patron
        let email = patron.email
        let locale = patron.locale
        let name = patron.name
        let erasedMail = try await database.transaction { db -> [MailMessage] in
            request.status = approve ? .approved : .rejected
            request.openKey = nil
            request.decidedAt = now
            request.decidedBy = staff.id
            request.decisionReason = reason.isEmpty ? nil : reason
            try await request.save(on: db)
            let action = "patron_request.\(request.kind.rawValue).\(approve ? "approved" : "rejected")"
            try await AuditTrail.record(action, by: .staff(staff.id!, ipAddress: ipAddress), subject: ("patron", patron.id!.uuidString),
                                        libraryID: patron.$library.id, at: now, on: db)
            guard approve else {
                if let email { try await notify(patron, template: "\(request.kind.rawValue)_rejected", to: email, locale: locale,
                                                extra: ["reason": reason], on: db) }
                return []
            }
            switch request.kind {
            case .nameChange:
                patron.name = request.requestedName ?? patron.name
                try await patron.save(on: db)
                try await PartnerEvents.enqueueForLinkedPartners(.patronUpdated, patron: patron, now: now, on: db)
                if let email { try await notify(patron, template: "name_change_approved", to: email, on: db) }
                return []
            case .deletion:
                // Earlier emails to the person (application, activation, notices) are emptied with the rest;
                // the confirmation queued next is the last use of the address, and the worker empties it as
                // soon as it is delivered or given up (`OutboxMessage.emptiedOnceSent`), not 30 days later.
                let erased = try await PatronMail.erase(patronID: patron.requireID(), applicationNumber: patron.applicationNumber, on: db)
                try await erase(patron, on: db)
                if let email {
                    try await notify(patron, template: "deletion_approved", to: email, locale: locale, extra: ["name": name],
                                     emptiedOnceSent: true, on: db)
                }
                return erased
            }
        }
        // Only after the commit, as for expired applications.
        PatronMail.removeDropFiles(of: erasedMail, directory: mailDropDirectory, logger: logger)
    }

    /// Erasure at the reader's request: partners are told first (their events carry the card number
    /// taken now), then links and consents end and the personal data goes.
    private func erase(_ patron: Patron, on db: any Database) async throws {
        try await PartnerEvents.enqueueForLinkedPartners(.patronErased, patron: patron, now: now, on: db)
        try await PartnerLink.query(on: db).filter(\.$patron.$id == patron.requireID()).set(\.$status, to: .withdrawn).update()
        try await ConsentRecord.query(on: db).filter(\.$patron.$id == patron.requireID()).filter(\.$withdrawnAt == nil)
            .set(\.$withdrawnAt, to: now).update()
        try await PasswordResetToken.query(on: db).filter(\.$patron.$id == patron.requireID()).delete()
        try await TaipeiPassIdentity.query(on: db).filter(\.$patron.$id == patron.requireID()).delete()
        try await PatronRequest.query(on: db).filter(\.$patron.$id == patron.requireID()).filter(\.$status == .pending)
            .set(\.$status, to: .cancelled).set(\.$openKey, to: nil).update()
        try await PatronRequest.query(on: db).filter(\.$patron.$id == patron.requireID()).set(\.$requestedName, to: nil).set(\.$note, to: nil).update()
        patron.status = .erased
        patron.erasePersonalData()
        try await patron.save(on: db)
    }

    private func notify(_ patron: Patron, template: String, to email: String, locale: String? = nil, extra: [String: String] = [:],
                        emptiedOnceSent: Bool = false, on db: any Database) async throws {
        let locale = SiteLocale(rawValue: locale ?? patron.locale) ?? .zhTW
        var values = ["name": patron.name, "card": patron.cardNumber ?? ""]
        values.merge(extra) { $1 }
        let library = try await patron.$library.get(on: db)
        try await outbox.enqueueEmail(template: "account_\(template)", to: email, locale: locale, values: values,
                                      from: library, partitionKey: PatronMail.partitionKey(patron.requireID()), emptiedOnceSent: emptiedOnceSent, on: db)
    }
}
