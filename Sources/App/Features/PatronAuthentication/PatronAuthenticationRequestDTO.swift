import Vapor

/// `POST /api/v1/patron-authentication`: what the card holder typed at the vendor's platform.
struct PatronAuthenticationRequestDTO: Content {
    var identifier: String
    var password: String
}
