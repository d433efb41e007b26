import Foundation
import JWTKit

/// Why an ID token was refused. The raw value goes to the log; the reader sees one message.
enum IDTokenRejection: String, Error, Equatable {
    case malformed
    case unsupportedAlgorithm = "unsupported_algorithm"
    case unknownKey = "unknown_key"
    case badSignature = "bad_signature"
    case wrongIssuer = "wrong_issuer"
    case wrongAudience = "wrong_audience"
    case expired
    case issuedInFuture = "issued_in_future"
    case nonceMismatch = "nonce_mismatch"
    case missingSubject = "missing_subject"
}
