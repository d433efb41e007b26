import Fluent
import Foundation

/// A key OneCard signs ID tokens with (ES256). The newest unretired key signs; a retired key stays in the
/// JWKS until the last ID token it signed has expired. The private key is sealed by the vault.
final class OIDCSigningKey: Model, @unchecked Sendable {
    static let schema = "oidc_signing_keys"

    @ID(key: .id) var id: UUID?
    /// The JWK `kid`; unique.
    @Field(key: "kid") var kid: String
    @Field(key: "algorithm") var algorithm: String
    /// The private key's PEM, sealed (`OIDCKeyRing.sealContext`).
    @Field(key: "private_key_sealed") var privateKeySealed: String
    /// The public key's PEM, for the JWKS without opening the vault.
    @Field(key: "public_key_pem") var publicKeyPEM: String
    @Field(key: "created_at") var createdAt: Date
    @OptionalField(key: "retired_at") var retiredAt: Date?

    init() {}
}
