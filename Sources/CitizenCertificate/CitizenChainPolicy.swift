import Foundation
import SwiftASN1
@_spi(FixedExpiryValidationTime) import X509

/// How revocation is decided from the configured CRLs.
public struct RevocationOptions: Sendable, Equatable {
    /// Which certificates of a built chain need a revocation check.
    public enum Scope: Sendable, Equatable {
        /// Only the applicant's certificate (its issuer's CRL, e.g. MOICA's).
        case leafOnly
        /// Every certificate below the trust anchor: also the intermediate, against the root's CRL
        /// (for MOICA, GRCA's ARL).
        case wholeChain
    }

    /// What to do when no CRL from a certificate's issuer is configured.
    public enum MissingList: Sendable, Equatable {
        /// Refuse with ``CitizenCertificateRejection/revocationUnknown(_:)``.
        case refuse
        /// Treat the certificate as not revoked.
        case accept
    }

    public var scope: Scope
    public var whenIssuerHasNoList: MissingList

    public init(scope: Scope = .wholeChain, whenIssuerHasNoList: MissingList = .refuse) {
        self.scope = scope
        self.whenIssuerHasNoList = whenIssuerHasNoList
    }
}

/// Why a candidate chain failed, kept as a value so the rejection never depends on parsing policy text.
enum ChainFailure: Sendable {
    case expired
    case notYetValid
    case keyUsage
    case revoked(serial: String)
    case revocationUnknown(String)
    case structural(String)

    var rejection: CitizenCertificateRejection {
        switch self {
        case .expired: .expired
        case .notYetValid: .notYetValid
        case .keyUsage: .keyUsage
        case .revoked(let serial): .revoked(serial: serial)
        case .revocationUnknown(let reason): .revocationUnknown(reason)
        case .structural(let reason): .untrusted(reason)
        }
    }
}

/// The policy every candidate chain that swift-certificates' `Verifier` builds must meet.
///
/// Revocation is checked here, inside chain building, rather than afterwards: a CRL is then checked
/// against the issuer certificate of the very chain being judged, and a chain through an alternative
/// intermediate gets its own revocation verdict.
struct CitizenChainPolicy: VerifierPolicy {
    let verifyingCriticalExtensions: [ASN1ObjectIdentifier]
    private let validationTime: Date
    private let rfc5280: RFC5280Policy
    private let revocation: RevocationCheck
    private let log: ChainFailureLog

    init(validationTime: Date, revocation: RevocationCheck, log: ChainFailureLog) {
        // The non-deprecated way to validate expiry at a given time rather than the wall clock.
        let rfc5280 = RFC5280Policy(fixedExpiryValidationTime: validationTime)
        self.rfc5280 = rfc5280
        self.verifyingCriticalExtensions = rfc5280.verifyingCriticalExtensions
        self.validationTime = validationTime
        self.revocation = revocation
        self.log = log
    }

    mutating func chainMeetsPolicyRequirements(chain: UnverifiedCertificateChain) async -> PolicyEvaluationResult {
        guard let failure = firstFailure(in: chain) else { return .meetsPolicy }
        log.append(failure)
        let reason = failure.rejection.description
        return .failsToMeetPolicy(reason: reason)
    }

    private func firstFailure(in chain: UnverifiedCertificateChain) -> ChainFailure? {
        // Dates first, so an expired card gets its own code rather than a line of RFC5280Policy's text.
        for certificate in chain {
            if validationTime < certificate.notValidBefore { return .notYetValid }
            if validationTime > certificate.notValidAfter { return .expired }
        }
        if case .failsToMeetPolicy(let reason) = rfc5280.chainMeetsPolicyRequirements(chain: chain) {
            return .structural(reason.description)
        }
        // A card holds a signing and an encryption certificate; only the signing one may log in.
        guard let keyUsage = try? chain.leaf.extensions.keyUsage, keyUsage.digitalSignature else { return .keyUsage }
        return revocation.firstFailure(in: chain)
    }
}

/// The first failure of each rejected candidate chain, in the order the verifier tried them.
///
/// A reference, because `Verifier` wraps the policy in an opaque type that cannot be read back.
final class ChainFailureLog: @unchecked Sendable {
    private let lock = NSLock()
    private var recorded: [ChainFailure] = []

    func append(_ failure: ChainFailure) {
        lock.lock()
        defer { lock.unlock() }
        recorded.append(failure)
    }

    var failures: [ChainFailure] {
        lock.lock()
        defer { lock.unlock() }
        return recorded
    }
}

/// Revocation from configured CRLs, fail-closed.
struct RevocationCheck: Sendable {
    let listsByIssuer: [DistinguishedName: [CertificateRevocationList]]
    let options: RevocationOptions
    let validationTime: Date

    func firstFailure(in chain: UnverifiedCertificateChain) -> ChainFailure? {
        let certificates = Array(chain)
        // The last certificate is the trust anchor: trusted by configuration, not by a CRL.
        let belowAnchor = certificates.count - 1
        let checked = options.scope == .leafOnly ? min(1, belowAnchor) : belowAnchor
        for index in 0..<max(checked, 0) {
            if let failure = failure(of: certificates[index], issuedBy: certificates[index + 1]) { return failure }
        }
        return nil
    }

    private func failure(of certificate: Certificate, issuedBy issuer: Certificate) -> ChainFailure? {
        guard let lists = listsByIssuer[certificate.issuer], !lists.isEmpty else {
            switch options.whenIssuerHasNoList {
            case .refuse: return .revocationUnknown("no CRL configured for issuer \(certificate.issuer)")
            case .accept: return nil
            }
        }
        if let keyUsage = try? issuer.extensions.keyUsage, !keyUsage.cRLSign {
            return .revocationUnknown("the key of \(issuer.subject) may not sign CRLs")
        }
        // A list that names the issuer but does not verify with its key is ignored; if no list is left,
        // status is unknown. Of several good lists the newest decides.
        guard let list = lists.filter({ $0.isSigned(by: issuer) }).max(by: { $0.thisUpdate < $1.thisUpdate }) else {
            return .revocationUnknown("no CRL for \(certificate.issuer) verifies with the issuer's key")
        }
        guard list.isInterpretable else {
            let extensions = list.unsupportedCriticalExtensions.joined(separator: ", ")
            return .revocationUnknown("the CRL of \(certificate.issuer) has critical extensions not processed here: \(extensions)")
        }
        // A listed serial is refused whatever the list's age: revocation is not undone by a stale list.
        if list.contains(certificate.serialNumber) {
            return .revoked(serial: SerialBytes.hex(certificate.serialNumber.bytes))
        }
        guard list.thisUpdate <= validationTime else {
            return .revocationUnknown("the CRL of \(certificate.issuer) is not valid until \(list.thisUpdate)")
        }
        guard let nextUpdate = list.nextUpdate else {
            return .revocationUnknown("the CRL of \(certificate.issuer) has no nextUpdate")
        }
        guard validationTime <= nextUpdate else {
            return .revocationUnknown("the CRL of \(certificate.issuer) is past its nextUpdate \(nextUpdate)")
        }
        return nil
    }
}
