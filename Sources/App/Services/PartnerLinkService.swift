import Fluent
import Foundation
import Vapor

enum PartnerServiceError: LocalizedAbortError, Equatable {
    case notOffered
    case needsCityAccount

    var status: HTTPResponseStatus { self == .notOffered ? .notFound : .conflict }
    var code: String { self == .notOffered ? "not_found" : "city_account_required" }
    var messageKey: String { self == .notOffered ? "error.not_found" : "partners.city_account_unavailable" }
}

/// 合作館服務 for a signed-in reader: enabling a partner records that partner's current consent
/// document and links the card; disabling withdraws the consent and the link.
struct PartnerLinkService {
    let database: any Database
    let now: Date

    /// The consent document of a partner service (`NTPL` → `NTPL_LINK`).
    static func consentCode(for service: PartnerService) -> String { "\(service.code)_LINK" }

    func offered(to patron: Patron) async throws -> [(PartnerService, PartnerLink?)] {
        let services = try await PartnerService.query(on: database).filter(\.$library.$id == patron.$library.id)
            .sort(\.$position).all()
        let links = try await PartnerLink.query(on: database).filter(\.$patron.$id == patron.requireID()).all()
        return services.map { service in (service, links.first { $0.$partnerService.id == service.id }) }
    }

    func service(code: String, for patron: Patron) async throws -> PartnerService {
        guard let service = try await PartnerService.query(on: database).filter(\.$library.$id == patron.$library.id)
            .filter(\.$code == code.uppercased()).first()
        else { throw PartnerServiceError.notOffered }
        return service
    }

    func enable(_ service: PartnerService, for patron: Patron, ipAddress: String?) async throws {
        // Linking the city identity account needs a sign-in with Taipei Pass (OpenID Connect), not a tick.
        guard service.kind == .partnerLibrary else { throw PartnerServiceError.needsCityAccount }
        let document = try await ConsentDocument.current(Self.consentCode(for: service), on: database)
        try await database.transaction { db in
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
            if let partnerLibrary = service.$partnerLibrary.id {
                try await PartnerEvents.enqueue(.linkCreated, patron: patron, partnerLibraryID: partnerLibrary, now: now, on: db)
            }
        }
    }

    func disable(_ service: PartnerService, for patron: Patron, ipAddress: String?) async throws {
        try await database.transaction { db in
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
