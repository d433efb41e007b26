import Foundation
import SwiftASN1
import X509

/// The holder of a citizen digital certificate who has just proved possession of the card.
public struct VerifiedCitizen: Sendable, Hashable {
    /// The holder's name from the certificate, NFC-normalized and trimmed.
    public let name: String
    /// The leaf certificate's serial number, upper-case hex without leading zero bytes
    /// (the form MOICA's certificate look-up accepts).
    public let serialNumber: String
    /// The issuing CA's distinguished name, RFC 4514 style (e.g. `OU=內政部憑證管理中心,O=行政院,C=TW`).
    public let issuer: String
    public let notAfter: Date
    /// The last four digits of the holder's ID number, when the certificate carries them
    /// (subjectDirectoryAttributes, attribute 2.16.886.1.100.2.51, an assumption not checked on a real card).
    public let idLastFour: String?
}

/// Verifies a 自然人憑證 login: the card's signature over a server nonce, the certificate chain to the
/// configured trust anchors (dates, key usage, CRLs) and the holder's name.
///
/// Immutable and cheap to copy; to take in a newly downloaded CRL, make a new verifier.
public struct CitizenCertificateVerifier: Sendable {
    private let trustAnchors: CertificateStore
    private let intermediates: [Certificate]
    private let listsByIssuer: [DistinguishedName: [CertificateRevocationList]]
    private let revocation: RevocationOptions
    private let now: @Sendable () -> Date

    /// - Parameters:
    ///   - trustAnchors: the roots a chain must end in; for MOICA, GRCA (or the MOICA CA itself, if pinned).
    ///   - intermediates: CA certificates used for chain building in addition to those the client sends
    ///     (for MOICA, the MOICA CA certificate issued by GRCA).
    ///   - revocationLists: CRLs of the CAs; matched to certificates by issuer name and issuer key.
    ///   - revocation: which certificates need a CRL, and whether a missing CRL refuses (the default).
    ///   - now: the clock used when `verify` is given no time.
    public init(
        trustAnchors: [Certificate],
        intermediates: [Certificate] = [],
        revocationLists: [CertificateRevocationList] = [],
        revocation: RevocationOptions = RevocationOptions(),
        now: @escaping @Sendable () -> Date = { Date() }
    ) throws(CitizenCertificateConfigurationError) {
        guard !trustAnchors.isEmpty else { throw .noTrustAnchors }
        self.trustAnchors = CertificateStore(trustAnchors)
        self.intermediates = intermediates
        self.listsByIssuer = Dictionary(grouping: revocationLists, by: \.issuer)
        self.revocation = revocation
        self.now = now
    }

    /// Reads every certificate in a file: DER, or PEM with one or more CERTIFICATE blocks.
    public static func loadCertificates(pemOrDER bytes: [UInt8]) throws(CitizenCertificateConfigurationError) -> [Certificate] {
        do {
            guard let text = pemText(bytes) else { return [try Certificate(derEncoded: bytes)] }
            let certificates = try PEMDocument.parseMultiple(pemString: text)
                .filter { $0.discriminator == Certificate.defaultPEMDiscriminator }
                .map { try Certificate(pemDocument: $0) }
            guard !certificates.isEmpty else { throw CitizenCertificateConfigurationError.unreadableCertificate("no CERTIFICATE block") }
            return certificates
        } catch let error as CitizenCertificateConfigurationError {
            throw error
        } catch {
            throw .unreadableCertificate(String(describing: error))
        }
    }

    /// 32 random bytes from the system's secure generator, for the card to sign.
    public static func makeNonce() -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
    }

    /// What the card signs when it signs through the MOICA component (a CMS signature): the nonce as
    /// lower-case hex text. The component takes its to-be-signed data as text inside a JSON package that
    /// is form-encoded on the way, so the nonce travels as letters and digits that no encoding layer
    /// changes; the page computes the same text from the nonce it shows.
    public static func signedText(of nonce: [UInt8]) -> String {
        nonce.map { String(format: "%02x", $0) }.joined()
    }

    /// Checks a login with a citizen digital certificate.
    ///
    /// `signature` is either the raw signature over `nonce` (PKCS#1 v1.5 or ECDSA, SHA-256), or a CMS
    /// `SignedData` (PKCS#7) as the MOICA component returns it, enveloping or detached, over
    /// ``signedText(of:)``. With a CMS signature the chain may be empty: the signer's certificate and any
    /// intermediates are taken from the message; when a chain is sent, its first certificate (the one the
    /// page read from the card) must be the signer.
    ///
    /// The checks run in this order and the first that fails decides the rejection: the certificates
    /// parse; the signature over `nonce` verifies with the leaf's key (for CMS: the content is the nonce,
    /// the signer is the card's certificate, the signed attributes agree with the content); a chain to a trust anchor exists
    /// whose certificates are all within their dates at `time`, meets RFC 5280, whose leaf allows
    /// digitalSignature and is no CA, and none of whose certificates is revoked; the holder's name equals
    /// `expectedName` after NFC normalization and trimming.
    ///
    /// - Parameters:
    ///   - certificateChain: DER certificates as the client sent them, the card's certificate first (may be
    ///     empty with a CMS signature that carries the card's certificate).
    ///   - signature: the card's signature over `nonce`, raw or CMS.
    ///   - nonce: the bytes the server issued; that it is fresh and used once is the caller's business.
    ///   - expectedName: the applicant's name on the application.
    ///   - time: when to judge dates and CRL freshness; the verifier's clock when nil.
    public func verify(
        certificateChain: [[UInt8]],
        signature: [UInt8],
        over nonce: [UInt8],
        expectedName: String,
        at time: Date? = nil
    ) async throws(CitizenCertificateRejection) -> VerifiedCitizen {
        let validationTime = time ?? now()
        let certificates: [Certificate]
        do {
            certificates = try certificateChain.map { try Certificate(derEncoded: $0) }
        } catch {
            throw .malformedCertificate
        }
        let leaf: Certificate
        let sentIntermediates: [Certificate]
        if let message = try? CMSSignedMessage(berEncoded: signature) {
            leaf = try message.signer(over: Array(Self.signedText(of: nonce).utf8), sent: certificates)
            sentIntermediates = (certificates + message.certificates).filter { $0 != leaf }
        } else {
            guard let first = certificates.first else { throw .malformedCertificate }
            guard NonceSignature.isValid(signature, over: nonce, by: first.publicKey) else { throw .badSignature }
            leaf = first
            sentIntermediates = Array(certificates.dropFirst())
        }
        try await validateChain(leaf: leaf, sentIntermediates: sentIntermediates[...], at: validationTime)

        guard let name = HolderIdentity.name(in: leaf), !name.isEmpty else { throw .malformedCertificate }
        guard name == HolderIdentity.normalized(expectedName) else { throw .nameMismatch(certificateName: name) }
        return VerifiedCitizen(
            name: name,
            serialNumber: SerialBytes.hex(leaf.serialNumber.bytes),
            issuer: leaf.issuer.description,
            notAfter: leaf.notValidAfter,
            idLastFour: HolderIdentity.idLastFour(in: leaf)
        )
    }

    private func validateChain(
        leaf: Certificate, sentIntermediates: ArraySlice<Certificate>, at time: Date
    ) async throws(CitizenCertificateRejection) {
        // A CA certificate is never a citizen's, however it chains.
        if let constraints = try? leaf.extensions.basicConstraints, case .isCertificateAuthority = constraints {
            throw .untrusted("the certificate is a CA certificate")
        }
        let log = ChainFailureLog()
        let policy = CitizenChainPolicy(
            validationTime: time,
            revocation: RevocationCheck(listsByIssuer: listsByIssuer, options: revocation, validationTime: time),
            log: log
        )
        var verifier = Verifier(rootCertificates: trustAnchors) { policy }
        let intermediateStore = CertificateStore(intermediates + sentIntermediates)
        switch await verifier.validate(leaf: leaf, intermediates: intermediateStore) {
        case .validCertificate:
            return
        case .couldNotValidate:
            // A chain was built but broke a rule: report what broke. None built: nothing we trust signed it.
            let failures = log.failures
            if let specific = failures.first(where: { if case .structural = $0 { false } else { true } }) {
                throw specific.rejection
            }
            if let structural = failures.first { throw structural.rejection }
            if leaf.extensions.contains(where: {
                $0.critical && !policy.verifyingCriticalExtensions.contains($0.oid)
            }) {
                throw .untrusted("the certificate has a critical extension that is not processed here")
            }
            throw .untrusted("no chain from \(leaf.issuer) to a configured trust anchor")
        }
    }
}
