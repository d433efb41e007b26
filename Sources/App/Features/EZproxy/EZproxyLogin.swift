import Fluent
import Foundation
import PersonalDataVault

/// Sends a signed-in card holder to an EZproxy host with a ticket (issue #15 item 3).
///
/// The user name in the ticket is pairwise (`PairwiseIdentifier`, per host): EZproxy logs it and may pass
/// it on to vendors, so it is never a card or ID number and two hosts cannot join their logs. The group is
/// the card's library and kind (`EZproxyGroups`). A suspended or expired card, or one the host's library
/// does not serve, gets no ticket. Every ticket and every refusal is audited.
struct EZproxyLogin {
    /// user.txt's `TimeValid` that `ezproxy host add` prints: the reader is sent on at once, so a minute is
    /// plenty, and a ticket that leaks (a browser history, a log) is soon worthless.
    static let ticketMinutes = 1

    let database: any Database
    let vault: PersonalDataVault
    let now: Date

    /// The host named in the login address, or nil.
    func host(named name: String) async throws -> EZproxyHost? {
        try await EZproxyHost.query(on: database).filter(\.$name == name.lowercased()).first()
    }

    /// The address to redirect the reader to: EZproxy's `/login` with the ticket and the destination.
    func ticketURL(for patron: Patron, host: EZproxyHost, destination: String?, ipAddress: String?) async throws -> String {
        let actor = AuditActor(type: "reader", id: patron.id!.uuidString, ipAddress: ipAddress)
        func refuse(_ error: EZproxyError) async throws -> Never {
            try await AuditTrail.record("ezproxy.refused", by: actor, subject: ("patron", patron.id!.uuidString), libraryID: host.$library.id,
                                        details: ["host": host.name, "reason": error.code], at: now, on: database)
            throw error
        }
        guard try await PatronVisibility.isVisible(patron, toLibrary: host.$library.id, on: database) else { try await refuse(.notForThisCard) }
        switch patron.standing(at: now) {
        case .suspended: try await refuse(.cardSuspended)
        case .expired: try await refuse(.cardExpired)
        case .good, nil: break
        }
        guard let algorithm = EZproxyTicket.Algorithm(rawValue: host.algorithm) else { throw EZproxyHostMisconfigured(host: host.name) }
        let library = try await patron.$library.get(on: database)
        let ticket = EZproxyTicket(
            secret: try vault.open(host.secretSealed, context: EZproxyHosts.secretContext), algorithm: algorithm,
            user: PairwiseIdentifier.make(patron: try patron.requireID(), audience: "ezproxy:\(try host.requireID().uuidString)", vault: vault),
            groups: [EZproxyGroups.group(libraryCode: library.code, cardKind: patron.cardKind)], issuedAt: now)
        try await AuditTrail.record("ezproxy.ticket_issued", by: actor, subject: ("patron", patron.id!.uuidString), libraryID: host.$library.id,
                                    details: ["host": host.name, "group": ticket.groups.joined(separator: "+")], at: now, on: database)
        return ticket.url(ezproxy: host.loginURL, destination: destination)
    }
}

/// A host row whose algorithm this build does not know (only a hand-edited row can be so).
struct EZproxyHostMisconfigured: Error {
    let host: String
}
