import Fluent
import Foundation
import PersonalDataVault

/// Reader sign-in: finds the card by what the reader typed and checks the password through the one
/// credential check (lock, decoy, growing delay), writing the audit entries.
struct ReaderSessionService {
    let database: any Database
    let vault: PersonalDataVault
    let credentials: CredentialCheck
    let now: Date

    /// The signed-in reader, or nil after the refusal's delay. A refusal says nothing more: the page
    /// must not tell whether the card exists or is locked.
    ///
    /// Issue #12: a card that exists and one that does not take the same steps: one counted attempt in
    /// a bucket (the card's when found, whichever identifier named it, else the typed identifier's), one
    /// bcrypt (the card's hash or the decoy), one audit entry and the same growing delay. Throws
    /// `AddressLimitError` when `ipAddress` has failed too often, before any password is tried.
    ///
    /// Issue #13 item 3: the place on the hashing pool is taken before the card is looked up, so a sign-in
    /// refused for want of one (`PasswordHashingBusy`) has read nothing; it is given back before the audit
    /// entry and the delay.
    func signIn(identifier: String, password: String, ipAddress: String?) async throws -> Patron? {
        let (patron, outcome) = try await credentials.holdingPlace { credentials in
            let directory = PatronDirectory(vault: vault, database: database)
            let patron = try await directory.activePatron(identifier: identifier)
            let bucket = try patron.map { CredentialCheck.bucket(patron: try $0.requireID()) }
                ?? CredentialCheck.bucket(typed: directory.typedKey(identifier: identifier))
            let outcome = try await credentials.check(password, against: patron?.passwordHash, throttle: bucket,
                                                      address: .init(door: .readerSignIn, address: ipAddress),
                                                      owner: try patron.map { .patron(try $0.requireID()) })
            return (patron, outcome)
        }
        guard let patron, case .verified = outcome else {
            guard case .refused(let locked, let delay) = outcome else { return nil }
            try await AuditTrail.record("reader.sign_in_failed", by: .anonymous(ipAddress: ipAddress),
                                        subject: patron.map { ("patron", $0.id!.uuidString) }, libraryID: patron?.$library.id,
                                        details: ["locked": locked ? "yes" : "no"], at: now, on: database)
            try await credentials.wait(delay)
            return nil
        }
        try await AuditTrail.record("reader.signed_in", by: AuditActor(type: "reader", id: patron.id!.uuidString, ipAddress: ipAddress),
                                    subject: ("patron", patron.id!.uuidString), libraryID: patron.$library.id, at: now, on: database)
        return patron
    }
}
