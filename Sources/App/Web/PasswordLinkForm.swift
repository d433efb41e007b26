import Vapor

/// The form behind every emailed link that sets a password (card activation, staff invitation, password
/// reset), and what posting it does, written once: the service finds the link again (a used, replaced or
/// expired one is gone) and sets the password; a password its rule refuses shows the page again with the
/// rule's messages beside their fields (422); a good one goes on to `done`.
struct PasswordLinkForm: Content {
    var token: String?
    var password: String?
    var passwordConfirmation: String?

    /// `setPassword` gets the token, the password and its confirmation; `page` renders the form again for the
    /// token with the messages.
    static func post(_ req: Request, done: String,
                     setPassword: (_ token: String, _ password: String, _ confirmation: String) async throws -> Void,
                     page: (_ token: String, _ form: FormState) async throws -> View) async throws -> Response {
        let form = try req.content.decode(Self.self)
        let token = form.token ?? ""
        do {
            try await setPassword(token, form.password ?? "", form.passwordConfirmation ?? "")
        } catch let rejected as NewPasswordRejected {
            let state = FormState(errors: rejected.messageKeys.mapValues { req.t($0) })
            return try await page(token, state).encodeResponse(status: .unprocessableEntity, for: req)
        }
        return req.redirect(to: done, redirectType: .normal)
    }
}
