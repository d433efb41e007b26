/// What an API client's token may be used for (issue #15 item 4). Before scopes every token worked on
/// every route: a kiosk could read partner lookups, and a partner system could submit card applications
/// and, through `409 already_registered`, ask whether any ID number holds a card. Now each route names the
/// one scope it needs (`APIClientAuthenticator(scope:)`) and a token without it gets 403.
enum APIScope: String, CaseIterable, Codable, Sendable, Comparable {
    /// `POST /api/v1/card-applications`: a library's kiosk or app submits online applications for that library.
    case cardApplications = "card-applications"
    /// `GET /api/v1/partners/{code}/patrons/{card}`: a partner library's system asks about its own or linked
    /// patrons; bound to the client's library (the `{code}` must be it).
    case partnerLookup = "partner-lookup"
    /// `POST /api/v1/patron-authentication`: an e-resource vendor checks a card holder's card and password.
    case patronAuthentication = "patron-authentication"

    static func < (lhs: APIScope, rhs: APIScope) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }

    /// Reads `card-applications,partner-lookup` (commas or spaces); nil names the first unknown word.
    static func parseList(_ text: String) -> Result<Set<APIScope>, UnknownScope> {
        var scopes = Set<APIScope>()
        for word in text.split(whereSeparator: { $0 == "," || $0 == " " }) {
            guard let scope = APIScope(rawValue: String(word)) else { return .failure(UnknownScope(word: String(word))) }
            scopes.insert(scope)
        }
        return .success(scopes)
    }

    /// How a set of scopes is stored and shown: space-separated, in a fixed order (as OAuth writes `scope`).
    static func text(_ scopes: Set<APIScope>) -> String {
        scopes.sorted().map(\.rawValue).joined(separator: " ")
    }

    struct UnknownScope: Error {
        let word: String
    }
}
