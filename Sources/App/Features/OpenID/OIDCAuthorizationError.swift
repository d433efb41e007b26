/// A sign-in through OneCard that cannot go back to the client: the reader gets a page, the client nothing
/// (sending them to an unchecked address would make OneCard an open redirector).
enum OIDCAuthorizationError: String, UserFacingError {
    case unknownClient = "unknown_client"
    case redirectURI = "redirect_uri"
    /// The session holds no authorization request (expired, or the page was opened directly).
    case noPendingRequest = "no_pending_request"

    var code: String { "oidc_\(rawValue)" }
    var messageKey: String { "oidc.authorize.\(rawValue)" }
}
