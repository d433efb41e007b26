import Fluent
import Foundation
import OneCardDomain
import PersonalDataVault

/// The credential validation API for e-resource vendors that cannot do OpenID Connect (issue #15 item 2),
/// after Koha's `POST /api/v1/auth/password/validation` and Evergreen's RemoteAuth: a card and password in,
/// the card's status out.
///
/// It is the web sign-in's check (`CredentialCheck`: the attempt counted before bcrypt, the decoy for an
/// unknown card, the growing delay, the lock shared with the web and SIP2) behind an API client's limits,
/// and it sees only the card holders SIP2 would: the client library's own and those who linked it.
struct PatronAuthenticationService {
    let database: any Database
    let vault: PersonalDataVault
    let credentials: CredentialCheck
    let now: Date

    /// Throws `PatronAuthenticationError` for every refusal, after auditing it.
    func authenticate(identifier: String, password: String, client: APIClient, ipAddress: String?) async throws -> PatronAuthenticationDTO {
        let clientID = try client.requireID()
        let actor = AuditActor(type: "api_client", id: clientID.uuidString, ipAddress: ipAddress)
        let limits = PatronAuthenticationLimits(database: database, now: now)
        var patron: Patron?
        func audit(_ outcome: String) async throws {
            try await AuditTrail.record("patron.authentication", by: actor, subject: patron.map { ("patron", $0.id!.uuidString) },
                                        libraryID: client.$library.id, details: ["outcome": outcome], at: now, on: database)
        }
        do {
            try await limits.countCall(client: clientID)
            // Found only when visible to the client's library: any other card is, to this client, no card.
            let directory = PatronDirectory(vault: vault, database: database)
            if let found = try await directory.activePatron(identifier: identifier,
                                                             acceptAlternateIdentifiers: client.acceptsAlternateIdentifiers),
               try await PatronVisibility.isVisible(found, toLibrary: client.$library.id, on: database) {
                patron = found
            }
            let bucket = try patron.map { CredentialCheck.bucket(patron: try $0.requireID()) }
                ?? CredentialCheck.bucket(typed: directory.typedKey(identifier: identifier))
            try await limits.countCall(card: bucket)
            try await limits.reserveFailure(client: clientID)
            // Told plainly, so the lock is not hidden behind a decoy check: refused at once, no bcrypt.
            let outcome = try await credentials.check(password, against: patron?.passwordHash, throttle: bucket, whenLocked: .refuseAtOnce)
            guard case .verified = outcome, let patron else {
                if case .refused(locked: true, _) = outcome {
                    throw PatronAuthenticationError.locked(retryAfter: PatronAuthenticationError.seconds(from: now, to: RateLimiter.windowEnd(now, SignInThrottle.window)))
                }
                if case .refused(_, let delay) = outcome {
                    try await audit(PatronAuthenticationError.invalidCredentials.code)
                    try await credentials.wait(delay)
                }
                throw PatronAuthenticationError.invalidCredentials
            }
            try await limits.giveBackFailure(client: clientID)
            let standing = patron.standing(at: now) ?? .good
            switch standing {
            case .suspended: throw PatronAuthenticationError.cardSuspended
            case .expired: throw PatronAuthenticationError.cardExpired
            case .good: break
            }
            try await audit("verified")
            let library = try await patron.$library.get(on: database)
            return PatronAuthenticationDTO(
                patron: PairwiseIdentifier.make(patron: try patron.requireID(), audience: "api_client:\(clientID.uuidString)", vault: vault),
                cardKind: patron.cardKind.rawValue, homeLibrary: library.code, standing: standing.rawValue,
                validUntil: patron.cardValidUntil,
                mayBorrow: PartnerBorrowing.mayBorrow(standing: standing, isPhysicalCard: patron.cardKind == .physical))
        } catch let error as PatronAuthenticationError where error != .invalidCredentials {
            try await audit(error.code)
            throw error
        }
    }
}
