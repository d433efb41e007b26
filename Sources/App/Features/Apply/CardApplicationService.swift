import Fluent
import Foundation
import OneCardDomain
import PersonalDataVault
import Vapor

/// The online card application (網路辦證), the same for the web form and the API.
struct CardApplicationService {
    static let idNumberContext = "idNumber"
    static let householdContext = "patron.household"
    /// Who is submitting, and how often they may: anonymous web visitors per address, API clients
    /// (library kiosks, which legitimately send many) per client; always also per person.
    struct Limits {
        let sourceBucket: String?
        let perSourcePerHour: Int
        let perPersonPerHour: Int

        static func web(ipAddress: String?) -> Limits {
            Limits(sourceBucket: ipAddress.map { "apply:ip:\($0)" }, perSourcePerHour: 20, perPersonPerHour: 5)
        }

        static func api(clientID: UUID?) -> Limits {
            Limits(sourceBucket: clientID.map { "apply:client:\($0.uuidString)" }, perSourcePerHour: 1000, perPersonPerHour: 60)
        }
    }

    let database: any Database
    let vault: PersonalDataVault
    /// Queues the confirmation email in the application's transaction.
    let outbox: Outbox
    let passwordPolicy: PasswordPolicy
    /// Hashes off the event loop: bcrypt takes a noticeable moment.
    let passwordHasher: PasswordHashing
    /// Told to the applicant in the confirmation email: how long the desk waits for them.
    let pendingApplicationLifetimeDays: Int
    let now: Date

    struct Submitted {
        let patron: Patron
    }

    /// Validates, enforces one card per person, and stores the application with its consents, partner
    /// links, audit entry and confirmation email in one transaction.
    func submit(
        _ input: CardApplicationInput, libraryCode: String, consentedDocuments: [ConsentDocument],
        channel: String, locale: SiteLocale, actor: AuditActor, limits: Limits,
        additionalErrors: [FieldError] = [], knownPassportCountries: Set<String>? = nil
    ) async throws -> Submitted {
        let limiter = RateLimiter(database: database)
        if let bucket = limits.sourceBucket,
           try await !limiter.allow(bucket, limit: limits.perSourcePerHour, per: 3600, now: now) {
            try await refuse("source_rate_limit", actor: actor, channel: channel)
        }
        // Every attempt for one person counts, failed ones included, keyed by the blind index of what was typed.
        let typedID = IdentityNumber.normalize(input.idNumber)
        let index = vault.blindIndex(typedID, context: Self.idNumberContext)
        let withinPersonLimit = typedID.isEmpty
            ? true : try await limiter.allow("apply:id:\(index)", limit: limits.perPersonPerHour, per: 3600, now: now)

        let today = CalendarDay(date: now, timeZone: .taipei)
        let application: CardApplication
        switch CardApplicationRules.validate(input, today: today, passwordPolicy: passwordPolicy,
                                                   knownPassportCountries: knownPassportCountries) {
        case .success(let valid) where additionalErrors.isEmpty:
            application = valid
        case .success:
            try await reject(additionalErrors, actor: actor, channel: channel, withinPersonLimit: withinPersonLimit)
        case .failure(let invalid):
            try await reject(invalid.errors + additionalErrors, actor: actor, channel: channel, withinPersonLimit: withinPersonLimit)
        }
        // "Already registered" is the answer that helps the person, so it wins over the per-person limit.
        if try await Patron.query(on: database).filter(\.$idNumberIndex == index).first() != nil {
            try await AuditTrail.record("card_application.duplicate", by: actor, libraryID: nil,
                                        details: ["channel": channel], at: now, on: database)
            throw CardApplicationError.alreadyRegistered
        }
        guard withinPersonLimit else { try await refuse("person_rate_limit", actor: actor, channel: channel) }
        let library = try await Library.require(code: libraryCode, on: database)
        let passwordHash = try await passwordHasher.hash(application.password)

        let patron = Patron()
        patron.$library.id = try library.requireID()
        patron.status = .pending
        patron.cardType = application.cardType.rawValue
        patron.cardKind = .physical
        patron.applicationChannel = channel == "api" ? .api : .web
        patron.applicationNumber = Self.applicationNumber(library: library.code, now: now)
        patron.documentKind = application.identity.kind.rawValue
        patron.idNumberSealed = try vault.seal(application.identity.value, context: Self.idNumberContext)
        patron.idNumberIndex = index
        patron.passportCountry = application.identity.issuingCountry
        patron.name = application.name
        patron.gender = application.gender.rawValue
        patron.birthDate = application.birthDate.iso
        patron.passwordHash = passwordHash
        patron.mobile = application.mobile
        patron.homePhone = application.homePhone
        patron.email = application.email
        if let household = application.household {
            let text = [household.number, household.headName, household.headIDNumber.value].joined(separator: "\u{1F}")
            patron.householdSealed = try vault.seal(text, context: Self.householdContext)
        }
        patron.locale = locale.rawValue
        patron.appliedAt = now

        let withdrawn = try await PartnerServiceWithdrawal.withdrawnIDs(on: database)
        let partnerServices = try await PartnerService.query(on: database)
            .filter(\.$library.$id == library.requireID()).filter(\.$code ~~ application.partnerLinks).all()
            .filter { !withdrawn.contains($0.id!) }
        var documentsByPartner: [String: ConsentDocument] = [:]
        for code in application.partnerLinks {
            documentsByPartner[code] = try await ConsentDocument.current("\(code)_LINK", at: now, on: database)
        }
        let partnerDocuments = documentsByPartner

        do {
            try await database.transaction { db in
                try await patron.create(on: db)
                let patronID = try patron.requireID()
                for document in consentedDocuments {
                    try await ConsentRecord(patronID: patronID, documentID: document.requireID(), givenAt: now, channel: channel).create(on: db)
                }
                for service in partnerServices {
                    guard let document = partnerDocuments[service.code] else { continue }
                    let consent = ConsentRecord(patronID: patronID, documentID: try document.requireID(), givenAt: now, channel: channel)
                    try await consent.create(on: db)
                    try await PartnerLink(patronID: patronID, partnerServiceID: service.requireID(),
                                          consentRecordID: consent.requireID(), status: .pending, createdAt: now).create(on: db)
                }
                try await AuditTrail.record("card_application.submitted", by: actor, subject: ("patron", patronID.uuidString),
                                            libraryID: library.id, details: ["channel": channel, "applicationNumber": patron.applicationNumber],
                                            at: now, on: db)
                if let email = patron.email {
                    try await outbox.enqueueEmail(
                        template: "card_application_received", to: email, locale: locale,
                        values: ["name": patron.name, "number": patron.applicationNumber,
                                 "library": library.name(in: locale),
                                 "days": String(pendingApplicationLifetimeDays),
                                 "branches": try await Self.branches(of: library, locale: locale, on: db)],
                        from: library, partitionKey: PatronMail.partitionKey(patronID), on: db)
                }
            }
        } catch let error as any DatabaseError where error.isConstraintFailure {
            // Another submission for the same person won the race; the unique index decided.
            try await AuditTrail.record("card_application.duplicate", by: actor, libraryID: nil,
                                        details: ["channel": channel, "race": "yes"], at: now, on: database)
            throw CardApplicationError.alreadyRegistered
        }
        return Submitted(patron: patron)
    }

    /// Audits a submission refused before its fields were checked (too many attempts) and throws.
    private func refuse(_ reason: String, actor: AuditActor, channel: String) async throws -> Never {
        try await AuditTrail.record("card_application.refused", by: actor, details: ["channel": channel, "reason": reason],
                                    at: now, on: database)
        throw CardApplicationError.tooManyAttempts
    }

    /// A submission through the API: the client lists the consents the person accepted, and must list
    /// every one of `requiredConsents` (refused, and audited, before anything typed is looked at). The
    /// application belongs to the client's library.
    func submit(
        _ input: CardApplicationInput, acceptedConsents: [String], requiredConsents: [String], client: APIClient,
        locale: SiteLocale, ipAddress: String?
    ) async throws -> Submitted {
        let accepted = Set(acceptedConsents)
        let missing = requiredConsents.filter { !accepted.contains($0) }
        let known = Set(Self.apiConsentCodes(required: requiredConsents))
        var documents: [ConsentDocument] = []
        for code in requiredConsents { documents.append(try await ConsentDocument.current(code, at: now, on: database)) }
        // Read, not `client.$library.get`: that would store the library in the client, which `APIClientCache` shares.
        guard let library = try await Library.find(client.$library.id, on: database) else { throw OneCardError.notFound }
        let actor = AuditActor(type: "api_client", id: client.id?.uuidString, ipAddress: ipAddress)
        guard accepted.isSubset(of: known) else {
            try await reject([FieldError(field: "acceptedConsents", code: "consent_unknown")], actor: actor, channel: "api",
                             withinPersonLimit: true)
        }
        guard missing.isEmpty else { try await rejectMissingConsents(actor: actor, channel: "api") }
        return try await submit(input, libraryCode: library.code, consentedDocuments: documents, channel: "api",
                                locale: locale, actor: actor, limits: .api(clientID: client.id))
    }

    /// Every consent code an API client may list: the required statements and each linkable partner's.
    static func apiConsentCodes(required: [String]) -> [String] {
        required + CardApplicationRules.linkablePartners.map { "\($0)_LINK" }
    }

    /// Refuses a submission without the required consents: audited like every other refusal, and
    /// nothing of what was typed is looked at.
    func rejectMissingConsents(actor: AuditActor, channel: String) async throws -> Never {
        try await reject([FieldError(field: "acceptedConsents", code: "consent_required")], actor: actor, channel: channel,
                         withinPersonLimit: true)
    }

    /// Audits a refused submission (field names and codes only, never what was typed) and throws.
    private func reject(_ errors: [FieldError], actor: AuditActor, channel: String,
                                     withinPersonLimit: Bool) async throws -> Never {
        let codes = errors.map { "\($0.field):\($0.code)" }.joined(separator: ",")
        try await AuditTrail.record("card_application.rejected", by: actor, details: ["channel": channel, "errors": codes],
                                    at: now, on: database)
        throw withinPersonLimit ? CardApplicationError.invalid(errors) : CardApplicationError.tooManyAttempts
    }

    /// e.g. TPML-261122-4F7K2Q: the library, the day, and six unambiguous characters.
    static func applicationNumber(library: String, now: Date) -> String {
        let day = CalendarDay(date: now, timeZone: .taipei)
        let alphabet = Array("23456789ABCDEFGHJKLMNPQRSTUVWXYZ")
        let suffix = String((0..<6).map { _ in alphabet.randomElement()! })
        return String(format: "%@-%02d%02d%02d-%@", library, day.year % 100, day.month, day.day, suffix)
    }

    /// Where the applicant finds the branches and their opening hours: the library's page of them when it
    /// has one (`onecard library set-mail --branches-url`), else the names of its service desks.
    static func branches(of library: Library, locale: SiteLocale, on db: any Database) async throws -> String {
        if let url = try await LibraryMailSettings.of(library, on: db).branchesURL { return url }
        let desks = try await ServiceDeskClosure.openDesks(of: library.requireID(), on: db)
        return desks.map { $0.name(in: locale) }.joined(separator: locale.choose(zhTW: "、", en: ", "))
    }
}
