import Vapor

/// The body of every JSON error: `{"code": "not_found", "message": "…"}`.
struct APIErrorDTO: Content {
    let code: String
    let message: String
}
