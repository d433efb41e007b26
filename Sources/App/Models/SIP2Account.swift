import Fluent
import Foundation

/// A SIP2 client (an e-resource vendor or a self-check machine) allowed to authenticate card holders.
final class SIP2AccountRecord: Model, @unchecked Sendable {
    static let schema = "sip2_accounts"

    @ID(key: .id) var id: UUID?
    /// The login user (CN of message 93).
    @Field(key: "login_user") var loginUser: String
    @Field(key: "password_hash") var passwordHash: String
    /// AO: the institution id the client sends and receives.
    @Field(key: "institution") var institution: String
    @Parent(key: "library_id") var library: Library
    @Field(key: "error_detection") var errorDetection: Bool
    /// `utf8`, `latin1` or `cp950`.
    @Field(key: "encoding") var encoding: String
    /// Whether answers may carry the patron's name, email and phone.
    @Field(key: "may_read_personal_data") var mayReadPersonalData: Bool
    /// Whether bound EasyCard/iPASS numbers are accepted as patron identifiers.
    @Field(key: "accepts_alternate_identifiers") var acceptsAlternateIdentifiers: Bool
    /// Comma-separated addresses or IPv4 CIDR blocks the client may connect from; empty means any.
    @Field(key: "allowed_addresses") var allowedAddresses: String
    @Field(key: "created_at") var createdAt: Date
    @OptionalField(key: "disabled_at") var disabledAt: Date?

    init() {}
}
