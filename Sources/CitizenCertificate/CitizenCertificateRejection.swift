/// Why a citizen digital certificate (自然人憑證) login was refused.
///
/// `code` is a stable machine word for API responses and translation keys; the associated strings are
/// for logs and are never shown to the applicant as they are.
public enum CitizenCertificateRejection: Error, Sendable, Equatable, CustomStringConvertible {
    /// The chain is empty, or a certificate in it is not a DER X.509 certificate this service can read
    /// (RSA keys shorter than 2048 bits included), or the leaf carries no holder name.
    case malformedCertificate
    /// The signature over the server's nonce does not verify with the leaf certificate's public key; for a
    /// CMS signature also: it signs other content (another page's nonce), or its signed attributes disagree.
    case badSignature
    /// No path from the certificate to a configured trust anchor: another CA, a forged issuer, a CA
    /// certificate offered as the leaf, or a chain that breaks RFC 5280's structural rules.
    case untrusted(String)
    /// A certificate in the chain is past its notAfter date.
    case expired
    /// A certificate in the chain is before its notBefore date (often a wrong clock).
    case notYetValid
    /// The leaf may not be used for signatures: the card's encryption certificate instead of its
    /// signing certificate, for example.
    case keyUsage
    /// A CRL lists the certificate (revoked or suspended); carries its serial number in upper-case hex.
    case revoked(serial: String)
    /// Revocation could not be decided: no CRL for the issuer, a CRL past its nextUpdate, a CRL whose
    /// signature does not verify, or one this verifier cannot interpret. Refused: fail-closed.
    case revocationUnknown(String)
    /// The certificate is good but names someone else; carries the name in the certificate.
    case nameMismatch(certificateName: String)
    /// A CMS signature whose signer is not the certificate read from the card (or is not among the
    /// certificates at all): the signature cannot be tied to the chain that is verified.
    case signerMismatch

    /// A stable machine word for the rejection, safe to use in API responses and translations.
    public var code: String {
        switch self {
        case .malformedCertificate: "citizen_cert_malformed"
        case .badSignature: "citizen_cert_bad_signature"
        case .untrusted: "citizen_cert_untrusted"
        case .expired: "citizen_cert_expired"
        case .notYetValid: "citizen_cert_not_yet_valid"
        case .keyUsage: "citizen_cert_key_usage"
        case .revoked: "citizen_cert_revoked"
        case .revocationUnknown: "citizen_cert_revocation_unknown"
        case .nameMismatch: "citizen_cert_name_mismatch"
        case .signerMismatch: "citizen_cert_signer_mismatch"
        }
    }

    public var description: String {
        switch self {
        case .malformedCertificate, .badSignature, .expired, .notYetValid, .keyUsage, .signerMismatch: code
        case .untrusted(let reason): "\(code): \(reason)"
        case .revoked(let serial): "\(code): serial \(serial)"
        case .revocationUnknown(let reason): "\(code): \(reason)"
        case .nameMismatch(let name): "\(code): certificate names \(name)"
        }
    }
}

/// A configuration that cannot be used: reported once at start-up, never to an applicant.
public enum CitizenCertificateConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No trust anchor was configured, so every certificate would be refused.
    case noTrustAnchors
    /// A trust anchor or intermediate file is neither a DER certificate nor PEM with CERTIFICATE blocks.
    case unreadableCertificate(String)
    /// A CRL file is neither a DER nor a PEM (X509 CRL) certificate revocation list.
    case unreadableRevocationList(String)

    public var description: String {
        switch self {
        case .noTrustAnchors: "no trust anchors configured"
        case .unreadableCertificate(let reason): "unreadable certificate: \(reason)"
        case .unreadableRevocationList(let reason): "unreadable CRL: \(reason)"
        }
    }
}
