/// A valid API token used outside its scopes (issue #15 item 4): 403 with `insufficient_scope`, the
/// word RFC 6750 §3.1 gives it, and the scope the route needs in `WWW-Authenticate`.
struct APIScopeError: UserFacingError, Equatable {
    let required: APIScope

    var code: String { "insufficient_scope" }
    var messageKey: String { "error.api_scope" }
    var messageValues: [String: String] { ["scope": required.rawValue] }
}
