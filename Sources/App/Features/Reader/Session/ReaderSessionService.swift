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
    func signIn(identifier: String, password: String, ipAddress: String?) async throws -> Patron? {
        let patron = try await PatronDirectory(vault: vault, database: database).activePatron(identifier: identifier)
        let outcome = try await credentials.check(password, against: patron?.passwordHash,
                                                  throttle: try patron.map { CredentialCheck.bucket(patron: try $0.requireID()) })
        guard let patron, case .verified = outcome else {
            if let patron, case .refused(let locked, let delay) = outcome {
                try await AuditTrail.record("reader.sign_in_failed", by: .anonymous(ipAddress: ipAddress),
                                            subject: ("patron", patron.id!.uuidString), libraryID: patron.$library.id,
                                            details: ["locked": locked ? "yes" : "no"], at: now, on: database)
                try await CredentialCheck.wait(delay)
            }
            return nil
        }
        try await AuditTrail.record("reader.signed_in", by: AuditActor(type: "reader", id: patron.id!.uuidString, ipAddress: ipAddress),
                                    subject: ("patron", patron.id!.uuidString), libraryID: patron.$library.id, at: now, on: database)
        return patron
    }
}
