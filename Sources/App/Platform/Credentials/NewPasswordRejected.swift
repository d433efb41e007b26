/// A new password that its rule refuses (the reader's policy or the staff rule, or a confirmation that
/// differs): field → localization key of the message to show beside it. One type for every page that sets a
/// password, so they all show a refusal the same way (`PasswordLinkForm`).
struct NewPasswordRejected: Error, Equatable {
    let messageKeys: [String: String]
}
