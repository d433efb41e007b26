import CitizenCertificate
import Fluent
import Foundation
import NIOPosix
import OneCardDomain
import PersonalDataVault
import UploadInspection
import Vapor

/// 數位借閱證 for individuals: eligibility, the application with identity documents (reviewed within
/// 3 working days) or with a citizen digital certificate (active at once), and the reviewers' decisions.
struct DigitalCardService {
    /// The library that issues and reviews digital cards (國立公共資訊圖書館).
    static let libraryCode = "NLPI"
    static let reviewWorkingDays = 3
    static let consentCode = SeedDigitalCardConsentDocument.code
    /// How long a correction (補件) link stays valid.
    static let correctionLinkLifetime: TimeInterval = 14 * 86400

    let database: any Database
    let vault: PersonalDataVault
    /// Queues the applicant's emails in the transaction of the change they report.
    let outbox: Outbox
    let passwordPolicy: PasswordPolicy
    /// Hashes off the event loop: bcrypt takes a noticeable moment.
    let passwordHasher: PasswordHashing
    /// Where uploads are inspected, off the event loop.
    let threadPool: NIOThreadPool
    let documents: IdentityDocumentStore
    /// Read at each use: the hourly reload may have replaced the verifier.
    let certificates: CitizenCertificates
    /// The site's address, for the correction (補件) link in the email.
    let baseURL: URL
    let uploadRetentionDays: Int
    /// Where delivered emails' copies are kept without SMTP: an erased person's go with the rest.
    let mailDropDirectory: String
    let logger: Logger
    let now: Date

    struct Upload: Sendable {
        let slot: IdentityDocumentSlot
        let bytes: [UInt8]
    }

    private var today: CalendarDay { CalendarDay(date: now, timeZone: .taipei) }

    // MARK: Eligibility

    /// Checked before anything is uploaded and again on submit: ROC nationals only, and nobody who
    /// already holds a card (or has an application) anywhere in the consortium.
    func checkEligibility(_ raw: String, ipAddress: String?) async throws -> IdentityNumber {
        guard try await RateLimiter(database: database).allow("digital:ip:\(ipAddress ?? "unknown")", limit: 30, per: 3600, now: now) else {
            throw DigitalCardError.tooManyAttempts
        }
        switch DigitalCardEligibility.check(raw) {
        case .foreignResident:
            throw DigitalCardError.foreignResident
        case .invalid(let code):
            throw DigitalCardError.invalid([FieldError(field: "idNumber", code: code)])
        case .eligible(let identity):
            if try await holdsCard(identity) { throw DigitalCardError.alreadyHoldsCard }
            return identity
        }
    }

    private func holdsCard(_ identity: IdentityNumber) async throws -> Bool {
        let index = vault.blindIndex(identity.value, context: CardApplicationService.idNumberContext)
        return try await Patron.query(on: database).filter(\.$idNumberIndex == index).first() != nil
    }

    // MARK: Applying

    /// The statement the applicant agrees to, in its current version.
    func consentDocument() async throws -> ConsentDocument {
        try await ConsentDocument.current(Self.consentCode, at: now, on: database)
    }

    /// A submitted application with its card, for the page that confirms it; nil when there is none.
    func submitted(_ id: UUID) async throws -> DigitalCardApplication? {
        try await DigitalCardApplication.query(on: database).filter(\.$id == id).with(\.$patron).first()
    }

    /// Validates the fields and every upload, then stores the sealed files, the pending card, the
    /// application, the consent and the confirmation email in one transaction (files of a failed
    /// transaction are removed again).
    func submitWithDocuments(_ input: DigitalCardInput, uploads: [Upload], locale: SiteLocale,
                             ipAddress: String?) async throws -> DigitalCardApplication {
        let form = try validate(input, needsDocuments: true, sent: Set(uploads.filter { !$0.bytes.isEmpty }.map(\.slot)))
        let needed = Set(form.documents.requiredDocuments)
        let inspected = try await inspect(uploads.filter { needed.contains($0.slot) && !$0.bytes.isEmpty })
        return try await store(form, method: .documents, files: inspected, certificate: nil, locale: locale, ipAddress: ipAddress)
    }

    /// The citizen certificate path: the card's signature over the session's nonce, the chain to the
    /// configured anchors, revocation, and the holder's name (and, when the certificate carries them,
    /// the last four digits of the ID number) against the application → the card is active at once.
    func submitWithCertificate(_ input: DigitalCardInput, chain: [[UInt8]], signature: [UInt8], nonce: [UInt8],
                               locale: SiteLocale, ipAddress: String?) async throws -> DigitalCardApplication {
        guard let verifier = certificates.verifier else { throw DigitalCardError.certificateUnavailable }
        let form = try validate(input, needsDocuments: false, sent: [])
        let citizen: VerifiedCitizen
        do {
            citizen = try await verifier.verify(certificateChain: chain, signature: signature, over: nonce, expectedName: form.name, at: now)
        } catch {
            try await AuditTrail.record("digital_card.certificate_refused", by: .anonymous(ipAddress: ipAddress),
                                        details: ["reason": error.code], at: now, on: database)
            throw DigitalCardError.certificate(code: error.code)
        }
        if let lastFour = citizen.idLastFour, !form.identity.value.hasSuffix(lastFour) {
            throw DigitalCardError.certificate(code: "citizen_cert_id_mismatch")
        }
        return try await store(form, method: .certificate, files: [], certificate: citizen, locale: locale, ipAddress: ipAddress)
    }

    /// The field rules alone, e.g. to report them together with a missing consent tick.
    func fieldErrors(_ input: DigitalCardInput, needsDocuments: Bool, sent: Set<IdentityDocumentSlot>) -> [FieldError] {
        switch DigitalCardRules.validate(input, today: today, passwordPolicy: passwordPolicy, needsDocuments: needsDocuments, documentsSent: sent) {
        case .success: []
        case .failure(let errors): errors.errors
        }
    }

    private func validate(_ input: DigitalCardInput, needsDocuments: Bool, sent: Set<IdentityDocumentSlot>) throws -> DigitalCardApplicationForm {
        switch DigitalCardEligibility.check(input.idNumber) {
        case .foreignResident: throw DigitalCardError.foreignResident
        default: break
        }
        switch DigitalCardRules.validate(input, today: today, passwordPolicy: passwordPolicy, needsDocuments: needsDocuments, documentsSent: sent) {
        case .success(let form): return form
        case .failure(let errors): throw DigitalCardError.invalid(errors.errors)
        }
    }

    /// Each upload by content, off the event loop (a 10 MB PDF takes a moment); every refusal is
    /// reported on its own field.
    private func inspect(_ uploads: [Upload]) async throws -> [(IdentityDocumentSlot, InspectedUpload)] {
        let results: [(IdentityDocumentSlot, Result<InspectedUpload, UploadRejection>)] = try await threadPool.runIfActive {
            uploads.map { upload in
                do throws(UploadRejection) {
                    return (upload.slot, .success(try UploadInspector.inspect(upload.bytes)))
                } catch {
                    return (upload.slot, .failure(error))
                }
            }
        }
        var accepted: [(IdentityDocumentSlot, InspectedUpload)] = []
        var errors: [FieldError] = []
        for (slot, result) in results {
            switch result {
            case .success(let inspected): accepted.append((slot, inspected))
            case .failure(let rejection): errors.append(FieldError(field: slot.field, code: "upload_\(rejection.code)"))
            }
        }
        guard errors.isEmpty else { throw DigitalCardError.invalid(errors) }
        return accepted
    }

    private func store(_ form: DigitalCardApplicationForm, method: DigitalCardApplication.Method,
                       files: [(IdentityDocumentSlot, InspectedUpload)], certificate: VerifiedCitizen?,
                       locale: SiteLocale, ipAddress: String?) async throws -> DigitalCardApplication {
        if try await holdsCard(form.identity) { throw DigitalCardError.alreadyHoldsCard }
        let library = try await Library.require(code: Self.libraryCode, on: database)
        let calendar = try await OfficialCalendarStore.calendar(libraryID: library.requireID(), on: database)
        let passwordHash = try await passwordHasher.hash(form.password)
        let document = try await ConsentDocument.current(Self.consentCode, at: now, on: database)

        let patron = Patron()
        patron.$library.id = try library.requireID()
        patron.status = certificate == nil ? .pending : .active
        patron.cardType = CardType.personal.rawValue
        patron.cardKind = .digital
        patron.applicationChannel = .digital
        patron.applicationNumber = CardApplicationService.applicationNumber(library: library.code, now: now)
        patron.documentKind = form.identity.kind.rawValue
        patron.idNumberSealed = try vault.seal(form.identity.value, context: CardApplicationService.idNumberContext)
        patron.idNumberIndex = vault.blindIndex(form.identity.value, context: CardApplicationService.idNumberContext)
        patron.name = form.name
        patron.gender = form.identity.genderFromNumber?.rawValue
        patron.birthDate = form.birthDate.iso
        patron.passwordHash = passwordHash
        patron.mobile = form.mobile
        patron.email = form.email
        patron.locale = locale.rawValue
        patron.appliedAt = now

        let application = DigitalCardApplication()
        application.method = method
        application.status = certificate == nil ? .submitted : .approved
        application.documentSet = form.documents.rawValue
        application.guardianName = form.guardian?.name
        application.guardianRelation = form.guardian?.relation
        application.submittedAt = now
        application.dueOn = calendar.dueDate(after: today, workingDays: Self.reviewWorkingDays).iso
        application.certificateSerial = certificate?.serialNumber
        application.certificateIssuer = certificate?.issuer
        if certificate != nil { application.decidedAt = now }

        let store = documents
        let fileRows = rows(files)
        do {
            try await database.transaction { db in
                try await write(fileRows, files, on: db)
                if certificate != nil {
                    patron.cardNumber = try await CardNumbers.next(for: library, on: db).value
                    patron.activatedAt = now
                }
                try await patron.create(on: db)
                application.$patron.id = try patron.requireID()
                try await application.create(on: db)
                for row in fileRows {
                    row.$application.id = try application.requireID()
                    try await row.create(on: db)
                }
                try await ConsentRecord(patronID: patron.requireID(), documentID: document.requireID(), givenAt: now, channel: "web").create(on: db)
                try await AuditTrail.record(certificate == nil ? "digital_card.submitted" : "digital_card.activated_by_certificate",
                                            by: .anonymous(ipAddress: ipAddress), subject: ("patron", patron.id!.uuidString),
                                            libraryID: library.id,
                                            details: ["method": method.rawValue, "applicationNumber": patron.applicationNumber,
                                                      "documents": fileRows.map(\.slot).joined(separator: ",")],
                                            at: now, on: db)
                try await notify(patron, library: library, template: certificate == nil ? "digital_card_received" : "digital_card_approved",
                                 extra: ["due": application.dueOn], on: db)
            }
        } catch {
            for row in fileRows { try? await store.erase(row.id!) }
            if let error = error as? any DatabaseError, error.isConstraintFailure { throw DigitalCardError.alreadyHoldsCard }
            throw error
        }
        return application
    }

    // MARK: Reviewing

    func approve(_ application: DigitalCardApplication, by staff: StaffMember, ipAddress: String?) async throws {
        guard application.status == .submitted else { throw DigitalCardError.notSubmitted }
        let patron = application.patron
        let library = try await patron.$library.get(on: database)
        try await database.transaction { db in
            patron.cardNumber = try await CardNumbers.next(for: library, on: db).value
            patron.status = .active
            patron.activatedAt = now
            patron.activatedBy = staff.id
            try await patron.save(on: db)
            try await decide(application, .approved, reason: nil, by: staff, on: db)
            try await AuditTrail.record("digital_card.approved", by: .staff(staff.id!, ipAddress: ipAddress),
                                        subject: ("patron", patron.id!.uuidString), libraryID: library.id, at: now, on: db)
            try await notify(patron, library: library, template: "digital_card_approved", extra: [:], on: db)
        }
    }

    /// A rejection erases the person's data (they may apply again); the decision record stays. Their
    /// earlier emails (the application's receipt) are erased with it, as every erasure does
    /// (`PatronMail.erase`), and the rejection email, the last use of the address, is emptied as soon as
    /// it is sent, not kept 30 days.
    func reject(_ application: DigitalCardApplication, reason: String, by staff: StaffMember, ipAddress: String?) async throws {
        guard application.status == .submitted else { throw DigitalCardError.notSubmitted }
        guard !reason.isEmpty else { throw DigitalCardError.invalid([FieldError(field: "reason", code: "reason_required")]) }
        let patron = application.patron
        let library = try await patron.$library.get(on: database)
        let erasedMail = try await database.transaction { db -> [MailMessage] in
            let erased = try await PatronMail.erase(patronID: patron.requireID(), applicationNumber: patron.applicationNumber, on: db)
            try await notify(patron, library: library, template: "digital_card_rejected", extra: ["reason": reason],
                             emptiedOnceSent: true, on: db)
            try await decide(application, .rejected, reason: reason, by: staff, on: db)
            try await ConsentRecord.query(on: db).filter(\.$patron.$id == patron.requireID()).filter(\.$withdrawnAt == nil)
                .set(\.$withdrawnAt, to: now).update()
            patron.status = .expired
            patron.erasePersonalData()
            try await patron.save(on: db)
            try await AuditTrail.record("digital_card.rejected", by: .staff(staff.id!, ipAddress: ipAddress),
                                        subject: ("patron", patron.id!.uuidString), libraryID: library.id,
                                        details: ["messagesErased": String(erased.count)], at: now, on: db)
            return erased
        }
        // Only after the commit: a rolled-back rejection must not lose the copies either.
        PatronMail.removeDropFiles(of: erasedMail, directory: mailDropDirectory, logger: logger)
    }

    /// 補件: the applicant gets a link to upload the documents again; the review clock restarts then.
    func returnForCorrection(_ application: DigitalCardApplication, reason: String, by staff: StaffMember,
                             ipAddress: String?) async throws {
        guard application.status == .submitted else { throw DigitalCardError.notSubmitted }
        guard !reason.isEmpty else { throw DigitalCardError.invalid([FieldError(field: "reason", code: "reason_required")]) }
        let patron = application.patron
        let library = try await patron.$library.get(on: database)
        let (token, hash) = OneTimeToken.make()
        try await database.transaction { db in
            application.status = .returned
            application.decisionReason = reason
            application.decidedBy = staff.id
            application.correctionTokenHash = hash
            application.correctionExpiresAt = now.addingTimeInterval(Self.correctionLinkLifetime)
            try await application.save(on: db)
            try await AuditTrail.record("digital_card.returned", by: .staff(staff.id!, ipAddress: ipAddress),
                                        subject: ("patron", patron.id!.uuidString), libraryID: library.id, at: now, on: db)
            let link = baseURL.appendingPathComponent("digital-card/correction").absoluteString + "?token=\(token)"
            try await notify(patron, library: library, template: "digital_card_returned",
                             extra: ["reason": reason, "days": "14"], secrets: ["link": link], on: db)
        }
    }

    func application(forCorrectionToken token: String) async throws -> DigitalCardApplication {
        guard !token.isEmpty,
              let application = try await DigitalCardApplication.query(on: database)
                .filter(\.$correctionTokenHash == OneTimeToken.hash(token)).with(\.$patron).first(),
              application.status == .returned, let expires = application.correctionExpiresAt, expires > now
        else { throw DigitalCardError.correctionLinkInvalid }
        return application
    }

    /// The corrected documents replace those of the same kind; the application goes back to the
    /// queue with a new due date.
    func resubmit(token: String, uploads: [Upload], ipAddress: String?) async throws -> DigitalCardApplication {
        let application = try await application(forCorrectionToken: token)
        let sent = uploads.filter { !$0.bytes.isEmpty }
        guard !sent.isEmpty else { throw DigitalCardError.invalid([FieldError(field: "documents", code: "document_required")]) }
        let inspected = try await inspect(sent)
        let library = try await application.patron.$library.get(on: database)
        let calendar = try await OfficialCalendarStore.calendar(libraryID: library.requireID(), on: database)
        let store = documents
        let fileRows = rows(inspected)
        do {
            try await database.transaction { db in
                try await write(fileRows, inspected, on: db)
                try await IdentityDocumentFile.query(on: db).filter(\.$application.$id == application.requireID())
                    .filter(\.$slot ~~ fileRows.map(\.slot)).set(\.$superseded, to: true).update()
                for row in fileRows {
                    row.$application.id = try application.requireID()
                    try await row.create(on: db)
                }
                application.status = .submitted
                application.submittedAt = now
                application.dueOn = calendar.dueDate(after: today, workingDays: Self.reviewWorkingDays).iso
                application.correctionTokenHash = nil
                application.correctionExpiresAt = nil
                try await application.save(on: db)
                try await AuditTrail.record("digital_card.resubmitted", by: .anonymous(ipAddress: ipAddress),
                                            subject: ("patron", application.patron.id!.uuidString), libraryID: library.id,
                                            details: ["documents": fileRows.map(\.slot).joined(separator: ",")], at: now, on: db)
            }
        } catch {
            for row in fileRows { try? await store.erase(row.id!) }
            throw error
        }
        return application
    }

    /// A (not yet saved) row for each cleaned upload; the caller writes the files and saves the rows in its
    /// transaction, and erases the files again if that fails.
    private func rows(_ files: [(IdentityDocumentSlot, InspectedUpload)]) -> [IdentityDocumentFile] {
        files.map { slot, file in
            let row = IdentityDocumentFile()
            row.id = UUID()
            row.slot = slot.rawValue
            row.mediaType = file.kind.mediaType
            row.byteCount = file.bytes.count
            row.pixelWidth = file.pixelWidth
            row.pixelHeight = file.pixelHeight
            row.removedMetadata = file.removedMetadata.isEmpty ? nil : file.removedMetadata.joined(separator: ",")
            row.uploadedAt = now
            row.superseded = false
            return row
        }
    }

    /// Seals each upload under its row's id, in the caller's transaction (see `SealedFileStore.store`).
    private func write(_ rows: [IdentityDocumentFile], _ files: [(IdentityDocumentSlot, InspectedUpload)], on db: any Database) async throws {
        for (row, (_, file)) in zip(rows, files) {
            try await documents.write(file.bytes, id: row.id!, on: db)
        }
    }

    private func decide(_ application: DigitalCardApplication, _ status: DigitalCardApplication.Status, reason: String?,
                        by staff: StaffMember, on db: any Database) async throws {
        application.status = status
        application.decidedAt = now
        application.decidedBy = staff.id
        application.decisionReason = reason
        application.correctionTokenHash = nil
        try await application.save(on: db)
    }

    private func notify(_ patron: Patron, library: Library, template: String, extra: [String: String],
                        secrets: [String: String] = [:], emptiedOnceSent: Bool = false, on db: any Database) async throws {
        guard let email = patron.email else { return }
        let locale = SiteLocale(rawValue: patron.locale) ?? .zhTW
        var values = ["name": patron.name, "number": patron.applicationNumber, "card": patron.cardNumber ?? "",
                      "library": library.name(in: locale)]
        values.merge(extra) { $1 }
        // Days go in the reader's language (民國 in zh-TW, ISO in English).
        if let due = values["due"] { values["due"] = DisplayTime.day(iso: due, in: locale) }
        try await outbox
            .enqueueEmail(template: template, to: email, locale: locale, values: values, secrets: secrets,
                          from: library, partitionKey: PatronMail.partitionKey(patron.requireID()),
                          emptiedOnceSent: emptiedOnceSent, on: db)
    }

    // MARK: Retention

    /// Returned applications whose correction link ran out are closed and the person's data erased
    /// (they may apply again); then uploaded files are erased the retention period after the decision,
    /// and at once for cards that expired or were erased. The file rows stay, marked erased, as
    /// evidence of what was seen.
    @discardableResult
    func housekeeping() async throws -> (expired: Int, filesErased: Int) {
        let uncorrected = try await DigitalCardApplication.query(on: database).filter(\.$status == .returned)
            .filter(\.$correctionExpiresAt < now).with(\.$patron).all()
        for application in uncorrected {
            let patron = application.patron
            let erasedMail = try await database.transaction { db -> [MailMessage] in
                // Closed as a rejection is, and erased as one: the person's emails go with their data.
                let erased = try await PatronMail.erase(patronID: patron.requireID(), applicationNumber: patron.applicationNumber, on: db)
                application.status = .rejected
                application.decidedAt = now
                application.decisionReason = "correction_not_received"
                application.correctionTokenHash = nil
                try await application.save(on: db)
                try await ConsentRecord.query(on: db).filter(\.$patron.$id == patron.requireID()).filter(\.$withdrawnAt == nil)
                    .set(\.$withdrawnAt, to: now).update()
                patron.status = .expired
                patron.erasePersonalData()
                try await patron.save(on: db)
                try await AuditTrail.record("digital_card.correction_expired", by: .system("expiry"),
                                            subject: ("patron", patron.id!.uuidString), libraryID: patron.$library.id,
                                            details: ["messagesErased": String(erased.count)], at: now, on: db)
                return erased
            }
            PatronMail.removeDropFiles(of: erasedMail, directory: mailDropDirectory, logger: logger)
        }

        let cutoff = now.addingTimeInterval(-Double(uploadRetentionDays) * 86400)
        let decided = try await DigitalCardApplication.query(on: database).filter(\.$filesErasedAt == nil)
            .filter(\.$status ~~ [.approved, .rejected]).with(\.$patron).all()
            .filter { application in
                if [.expired, .erased].contains(application.patron.status) { return true }
                guard let decidedAt = application.decidedAt else { return false }
                return decidedAt <= cutoff
            }
        let store = documents
        var erased = 0
        for application in decided {
            let files = try await IdentityDocumentFile.query(on: database).filter(\.$application.$id == application.requireID())
                .filter(\.$erasedAt == nil).all()
            for file in files {
                // The file and the mark that it was erased go together (in one transaction where files are rows).
                try await database.transaction { db in
                    try await store.erase(file.id!, on: db)
                    file.erasedAt = now
                    try await file.save(on: db)
                }
                erased += 1
            }
            application.filesErasedAt = now
            try await application.save(on: database)
        }
        return (uncorrected.count, erased)
    }
}
