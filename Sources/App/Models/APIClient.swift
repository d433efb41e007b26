import Fluent
import Foundation

/// A kiosk, app, partner system or e-resource vendor that calls `/api/v1` with a bearer token (stored
/// only as its hash). What the token may do is its `scopes` (issue #15 item 4).
final class APIClient: Model, @unchecked Sendable {
    static let schema = "api_clients"

    @ID(key: .id) var id: UUID?
    @Field(key: "name") var name: String
    @Parent(key: "library_id") var library: Library
    @Field(key: "token_hash") var tokenHash: String
    @Field(key: "created_at") var createdAt: Date
    @OptionalField(key: "revoked_at") var revokedAt: Date?
    /// `APIScope` raw values, space-separated (`APIScope.text`).
    @Field(key: "scopes") var scopesText: String
    /// Patron authentication accepts ID numbers and bound EasyCard/iPASS numbers as identifiers, not only
    /// card numbers (as a SIP2 account with `--alternate-ids`), so a vendor without it cannot ask whether an
    /// ID number holds a card.
    @Field(key: "alternate_identifiers") var acceptsAlternateIdentifiers: Bool
    /// Addresses or IPv4 CIDR blocks the token may be used from, comma-separated (`AddressRule`); empty allows
    /// every address, as before the field existed (issue #14 item 6).
    @Field(key: "allowed_addresses") var allowedAddresses: String

    init() {}

    init(name: String, libraryID: UUID, tokenHash: String, scopes: Set<APIScope>, acceptsAlternateIdentifiers: Bool = false,
         createdAt: Date) {
        self.name = name
        self.$library.id = libraryID
        self.tokenHash = tokenHash
        self.scopesText = APIScope.text(scopes)
        self.acceptsAlternateIdentifiers = acceptsAlternateIdentifiers
        self.allowedAddresses = ""
        self.createdAt = createdAt
    }

    var scopes: Set<APIScope> {
        get { (try? APIScope.parseList(scopesText).get()) ?? [] }
        set { scopesText = APIScope.text(newValue) }
    }
}
