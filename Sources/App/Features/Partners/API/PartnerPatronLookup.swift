import Fluent
import Foundation
import OneCardDomain

/// A partner library's system asks whether a card is valid there. It is answered only for patrons
/// who belong to or linked that partner; every other case is the same "not found", so the answer never
/// tells whether a card exists elsewhere. Each answer is audited.
struct PartnerPatronLookup {
    let database: any Database
    let now: Date

    func lookUp(partnerCode: String, cardNumber: String, by client: APIClient, ipAddress: String?) async throws -> PartnerPatronDTO {
        let partner = try await client.$library.get(on: database)
        guard partner.code == partnerCode.uppercased(),
              case .success(let card) = CardNumber.parse(cardNumber),
              let patron = try await Patron.query(on: database).filter(\.$cardNumber == card.value).with(\.$library).first(),
              try await PatronVisibility.isVisible(patron, toLibrary: partner.requireID(), on: database)
        else { throw OneCardError.notFound }
        try await AuditTrail.record("patron.partner_lookup", by: AuditActor(type: "api_client", id: client.id?.uuidString, ipAddress: ipAddress),
                                    subject: ("patron", patron.id!.uuidString), libraryID: partner.id, at: now, on: database)
        let standing = patron.standing(at: now)
        return PartnerPatronDTO(
            cardNumber: card.value, status: patron.status.rawValue, valid: standing == .good,
            cardKind: patron.cardKind.rawValue,
            mayBorrow: PartnerBorrowing.mayBorrow(standing: standing, isPhysicalCard: patron.cardKind == .physical),
            homeLibrary: patron.library.code, standing: standing?.rawValue, validUntil: patron.cardValidUntil)
    }
}
