import Fluent
import Foundation
import Vapor

/// 合作館服務 for a signed-in reader: enabling a partner records that partner's current consent
/// document and links the card; disabling withdraws the consent and the link.
struct PartnerLinkService {
    let database: any Database
    let now: Date

    /// The partner service of the city identity account.
    static let taipeiPassCode = "TAIPEI_PASS"

    /// The consent document of a partner service (`NTPL` → `NTPL_LINK`); the city account's is the
    /// city's own single sign-on consent (臺北市府單一識別服務個人資料蒐集、處理及利用同意書).
    static func consentCode(for service: PartnerService) -> String {
        service.kind == .cityAccount ? "TAIPEI_CITY_ID" : "\(service.code)_LINK"
    }

    /// The services the reader's library offers, and those it stopped offering that the reader still has a
    /// link with, so they can end it.
    func offered(to patron: Patron) async throws -> [(PartnerService, PartnerLink?)] {
        let services = try await PartnerService.query(on: database).filter(\.$library.$id == patron.$library.id)
            .sort(\.$position).all()
        let links = try await PartnerLink.query(on: database).filter(\.$patron.$id == patron.requireID()).all()
        let withdrawn = try await PartnerServiceWithdrawal.withdrawnIDs(on: database)
        return services.compactMap { service in
            let link = links.first { $0.$partnerService.id == service.id }
            guard !withdrawn.contains(service.id!) || (link.map { $0.status != .withdrawn } ?? false) else { return nil }
            return (service, link)
        }
    }

    func service(code: String, for patron: Patron) async throws -> PartnerService {
        guard let service = try await PartnerService.query(on: database).filter(\.$library.$id == patron.$library.id)
            .filter(\.$code == code.uppercased()).first()
        else { throw PartnerServiceError.notOffered }
        return service
    }

    /// The statement a reader reads before enabling `service`, in its current version. The city account's
    /// is offered only where a Taipei Pass provider is configured: elsewhere a desk links it.
    func statement(for service: PartnerService, taipeiPassConfigured: Bool) async throws -> ConsentDocument {
        guard try await !PartnerServiceWithdrawal.isWithdrawn(service, on: database) else { throw PartnerServiceError.notOffered }
        guard service.kind == .partnerLibrary || taipeiPassConfigured else { throw PartnerServiceError.needsCityAccount }
        return try await ConsentDocument.current(Self.consentCode(for: service), at: now, on: database)
    }

    func enable(_ service: PartnerService, for patron: Patron, ipAddress: String?) async throws {
        // Linking the city identity account needs a sign-in with Taipei Pass (`linkCityAccount`), not a tick.
        guard try await !PartnerServiceWithdrawal.isWithdrawn(service, on: database) else { throw PartnerServiceError.notOffered }
        guard service.kind == .partnerLibrary else { throw PartnerServiceError.needsCityAccount }
        let document = try await ConsentDocument.current(Self.consentCode(for: service), at: now, on: database)
        try await database.transaction { db in
            try await activate(service, for: patron, agreedTo: document, ipAddress: ipAddress, on: db)
            if let partnerLibrary = service.$partnerLibrary.id {
                try await PartnerEvents.enqueue(.linkCreated, patron: patron, partnerLibraryID: partnerLibrary, now: now, on: db)
            }
        }
    }

    /// 與台北通結合 after the provider vouched for `subject`: the consent to the version the reader agreed to
    /// before leaving for the provider, the identity, and the partner link, all or nothing. A Taipei Pass
    /// account that another card holds is refused, also when two requests race (the unique constraint).
    func linkCityAccount(_ service: PartnerService, for patron: Patron, agreedTo document: ConsentDocument,
                         issuer: String, subject: String, ipAddress: String?) async throws {
        guard service.kind == .cityAccount, try await !PartnerServiceWithdrawal.isWithdrawn(service, on: database),
              document.code == Self.consentCode(for: service) else {
            throw PartnerServiceError.notOffered
        }
        let patronID = try patron.requireID()
        do {
            try await database.transaction { db in
                if try await TaipeiPassIdentity.query(on: db).filter(\.$issuer == issuer).filter(\.$subject == subject)
                    .filter(\.$patron.$id != patronID).count() > 0 {
                    throw PartnerServiceError.cityAccountLinkedElsewhere
                }
                try await TaipeiPassIdentity.query(on: db).filter(\.$patron.$id == patronID).delete()
                try await TaipeiPassIdentity(patronID: patronID, issuer: issuer, subject: subject, linkedAt: now).create(on: db)
                try await activate(service, for: patron, agreedTo: document, ipAddress: ipAddress, on: db)
            }
        } catch let error as any DatabaseError where error.isConstraintFailure {
            throw PartnerServiceError.cityAccountLinkedElsewhere
        }
    }

    /// The consent record, the link made active, the audit entry; on the caller's transaction.
    private func activate(_ service: PartnerService, for patron: Patron, agreedTo document: ConsentDocument, ipAddress: String?,
                          on db: any Database) async throws {
        let consent = ConsentRecord(patronID: try patron.requireID(), documentID: try document.requireID(), givenAt: now, channel: "web")
        try await consent.create(on: db)
        if let link = try await PartnerLink.query(on: db).filter(\.$patron.$id == patron.requireID())
            .filter(\.$partnerService.$id == service.requireID()).first() {
            link.status = .active
            link.$consentRecord.id = try consent.requireID()
            link.activatedAt = now
            try await link.save(on: db)
        } else {
            let link = PartnerLink(patronID: try patron.requireID(), partnerServiceID: try service.requireID(),
                                   consentRecordID: try consent.requireID(), status: .active, createdAt: now)
            link.activatedAt = now
            try await link.create(on: db)
        }
        try await AuditTrail.record("partner_link.enabled", by: AuditActor(type: "reader", id: patron.id?.uuidString, ipAddress: ipAddress),
                                    subject: ("patron", patron.id!.uuidString), libraryID: patron.$library.id,
                                    details: ["partner": service.code, "consentVersion": String(document.version)], at: now, on: db)
    }

    func disable(_ service: PartnerService, for patron: Patron, ipAddress: String?) async throws {
        try await database.transaction { db in
            if service.kind == .cityAccount {
                // Unlinked means the Taipei Pass account no longer signs in to this card.
                try await TaipeiPassIdentity.query(on: db).filter(\.$patron.$id == patron.requireID()).delete()
            }
            guard let link = try await PartnerLink.query(on: db).filter(\.$patron.$id == patron.requireID())
                .filter(\.$partnerService.$id == service.requireID()).filter(\.$status != .withdrawn).first()
            else { return }
            link.status = .withdrawn
            try await link.save(on: db)
            try await ConsentRecord.query(on: db).filter(\.$id == link.$consentRecord.id).filter(\.$withdrawnAt == nil)
                .set(\.$withdrawnAt, to: now).update()
            try await AuditTrail.record("partner_link.disabled", by: AuditActor(type: "reader", id: patron.id?.uuidString, ipAddress: ipAddress),
                                        subject: ("patron", patron.id!.uuidString), libraryID: patron.$library.id,
                                        details: ["partner": service.code], at: now, on: db)
            if service.kind == .partnerLibrary, let partnerLibrary = service.$partnerLibrary.id {
                try await PartnerEvents.enqueue(.linkWithdrawn, patron: patron, partnerLibraryID: partnerLibrary, now: now, on: db)
            }
        }
    }
}
