/// Why a consortium administrator's client registration was refused.
enum OIDCClientError: UserFacingError, Equatable {
    case nameRequired
    case homePageInvalid
    /// A redirect URI that is not an absolute https URL (http only for localhost), or has a fragment.
    case redirectURIInvalid
    case scopesInvalid
    case librariesRequired
    case unknownLibrary(String)
    /// Lower-case letters, digits, `-`, `.` and `_`, at most 64.
    case clientIDInvalid
    case clientIDTaken
    /// Only `ES256` and `RS256` are offered.
    case idTokenAlgorithmInvalid
    case notFound

    var code: String {
        switch self {
        case .nameRequired: "name_required"
        case .homePageInvalid: "home_page_invalid"
        case .redirectURIInvalid: "redirect_uri_invalid"
        case .scopesInvalid: "scopes_invalid"
        case .librariesRequired: "libraries_required"
        case .unknownLibrary: "unknown_library"
        case .clientIDInvalid: "client_id_invalid"
        case .clientIDTaken: "client_id_taken"
        case .idTokenAlgorithmInvalid: "id_token_alg_invalid"
        case .notFound: "not_found"
        }
    }

    var messageKey: String { "oidc.client.error.\(code)" }

    var messageValues: [String: String] {
        if case .unknownLibrary(let code) = self { return ["library": code] }
        return [:]
    }
}
