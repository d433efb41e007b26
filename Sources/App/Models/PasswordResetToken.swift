/// 忘記密碼: the link that sets a new password, valid 30 minutes.
enum PasswordReset: PatronLinkPurpose {
    static let schema = "password_reset_tokens"
}

typealias PasswordResetToken = PatronLinkToken<PasswordReset>
