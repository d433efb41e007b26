import Crypto
import _CryptoExtras
import X509

/// The card's signature over the server's nonce.
enum NonceSignature {
    /// RSA: PKCS#1 v1.5 with SHA-256 (MOICA cards hold RSA-2048 keys).
    /// P-256: ECDSA with SHA-256, as DER (X9.62) or as the 64-byte r‖s that WebCrypto produces.
    static func isValid(_ signature: [UInt8], over nonce: [UInt8], by key: Certificate.PublicKey) -> Bool {
        if _RSA.Signing.PublicKey(key) != nil {
            return key.isValidSignature(signature, for: nonce, signatureAlgorithm: .sha256WithRSAEncryption)
        }
        if let p256 = P256.Signing.PublicKey(key) {
            if signature.count == 64, let raw = try? P256.Signing.ECDSASignature(rawRepresentation: signature),
               p256.isValidSignature(raw, for: nonce) {
                return true
            }
            return key.isValidSignature(signature, for: nonce, signatureAlgorithm: .ecdsaWithSHA256)
        }
        return false
    }
}
