import Fluent
import OneCardDomain

/// A request under `/api/v1` without a valid bearer token.
enum APIAuthError: UserFacingError {
    case missingOrInvalidToken
    var code: String { "unauthorized" }
    var messageKey: String { "error.api_token" }
}
