/// Why a reader cannot use a client with this card, and the way back to the client (which gets `access_denied`).
struct OIDCRefusalPage: Encodable {
    let clientName: String
    let message: String
    let returnURL: String
}
