import Vapor

struct ErrorPageContext: Encodable {
    let status: Int
    let title: String
    let message: String
    /// An error page holds no form: the staff header leaves its sign-out button out, so a refusal (a CSRF
    /// failure among them) never mints a CSRF token or reads like one.
    let hidesSignOut = true
}
