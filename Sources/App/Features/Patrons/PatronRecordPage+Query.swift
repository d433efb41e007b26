import Fluent
import Foundation
import OneCardDomain
import PersonalDataVault

extension PatronRecordPage {
    /// The database work of the patron record: finding a patron inside the opt-in boundary, auditing each
    /// look (and each reveal of the full ID number), and gathering the card, its links, consents, requests
    /// and the record's recent history.
    struct Query {
        /// How much of the record's history the page shows; the audit trail has the rest.
        static let historyLength = 20

        let database: any Database
        let vault: PersonalDataVault
        let localizer: Localizer
        let locale: SiteLocale
        let now: Date

        /// The record as staff open it (`revealIDNumber == false`) or after they asked for the full ID number.
        /// Both are audited against the patron, in the trail of the library that looked, as the desk's `patron.viewed` is.
        /// A patron outside the boundary is "not found", as is an id that names no one.
        func viewed(_ rawID: String?, by staff: StaffMember, ipAddress: String?, revealIDNumber: Bool) async throws -> Model {
            guard let id = rawID.flatMap(UUID.init(uuidString:)),
                  let patron = try await Patron.query(on: database).filter(\.$id == id).with(\.$library).first(),
                  patron.status == .pending || patron.status == .active,
                  try await PatronAuthority.maySee(patron, staff: staff, on: database)
            else { throw OneCardError.notFound }
            try await AuditTrail.record(revealIDNumber ? "patron.id_number_revealed" : "patron.record_viewed",
                                        by: .staff(staff.requireID(), ipAddress: ipAddress),
                                        subject: ("patron", id.uuidString), libraryID: staff.$library.id, at: now, on: database)
            return try await model(for: patron, revealIDNumber: revealIDNumber)
        }

        /// The words for `key`, or `code` itself for a code no table names yet (an action added later).
        private func words(_ key: String, or code: String) -> String {
            localizer.textIfPresent(key, locale) ?? code
        }

        private func model(for patron: Patron, revealIDNumber: Bool) async throws -> Model {
            let id = try patron.requireID()
            let idNumber = try patron.idNumberSealed.map { try vault.open($0, context: CardApplicationService.idNumberContext) }
            let links = try await PartnerLink.query(on: database).filter(\.$patron.$id == id).with(\.$partnerService)
                .sort(\.$createdAt).all()
            let consents = try await ConsentRecord.query(on: database).filter(\.$patron.$id == id).with(\.$document)
                .sort(\.$givenAt, .descending).all()
            let requests = try await App.PatronRequest.query(on: database).filter(\.$patron.$id == id)
                .sort(\.$requestedAt, .descending).limit(20).all()
            let events = try await AuditEvent.query(on: database).filter(\.$subjectType == "patron").filter(\.$subjectID == id.uuidString)
                .sort(\.$occurredAt, .descending).limit(Self.historyLength).all()
            let libraries = try await Library.query(on: database).all().reduce(into: [UUID: String]()) { $0[$1.id!] = $1.name(in: locale) }
            return Model(
                name: patron.name, cardNumber: patron.cardNumber, applicationNumber: patron.applicationNumber,
                statusKey: DeskController.statusKey(patron, now: now),
                cardKindKey: patron.cardKind == .digital ? "reader.card.digital" : "reader.card.physical",
                homeLibrary: patron.library.name(in: locale), appliedAt: DisplayTime.minute(patron.appliedAt, in: locale),
                activatedAt: patron.activatedAt.map { DisplayTime.minute($0, in: locale) },
                maskedIDNumber: idNumber.map { (try? IdentityNumber.parse($0).get().masked) ?? String(repeating: "•", count: $0.count) } ?? "—",
                fullIDNumber: revealIDNumber ? idNumber : nil, hasIDNumber: idNumber != nil,
                mobile: patron.mobile, homePhone: patron.homePhone, email: patron.email,
                standingKey: patron.standing(at: now).map { "standing.\($0.rawValue)" },
                validUntil: patron.cardValidUntil, suspendedSince: patron.suspendedAt.map { DisplayTime.minute($0, in: locale) },
                suspensionReason: patron.suspensionReason,
                links: links.map {
                    .init(service: $0.partnerService.name(in: locale), statusKey: "staff.patron.link_status.\($0.status.rawValue)",
                          since: DisplayTime.minute($0.activatedAt ?? $0.createdAt, in: locale))
                },
                consents: consents.map {
                    .init(document: $0.document.title(in: locale), version: $0.document.version,
                          givenAt: DisplayTime.minute($0.givenAt, in: locale), channel: words("staff.patron.channel.\($0.channel)", or: $0.channel),
                          withdrawnAt: $0.withdrawnAt.map { DisplayTime.minute($0, in: locale) })
                },
                requests: requests.map {
                    .init(kindKey: "staff.requests.kind.\($0.kind.rawValue)", statusKey: "staff.patron.request_status.\($0.status.rawValue)",
                          requestedAt: DisplayTime.minute($0.requestedAt, in: locale),
                          decidedAt: $0.decidedAt.map { DisplayTime.minute($0, in: locale) })
                },
                history: events.map { event in
                    .init(time: DisplayTime.minute(event.occurredAt, in: locale),
                          action: AuditActionWords.words(event.action, localizer: localizer, locale: locale),
                          library: event.libraryID.flatMap { libraries[$0] } ?? "—")
                },
                revealPath: SiteURL.staffPatronIDNumber(id: .value(id)).path,
                deskPath: SiteURL.deskApplication(id: .value(id)).path)
        }
    }
}
