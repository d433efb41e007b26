/// Every password-hashing thread is busy and the queue in front of them is full (`PasswordHashingPool`):
/// the check was not started, nothing was counted, and the client is told to come back shortly.
struct PasswordHashingBusy: UserFacingError, Equatable {
    /// Seconds to wait before trying again (`Retry-After`).
    static let retryAfterSeconds = 2

    var code: String { "password_checks_busy" }
    var messageKey: String { "error.password_checks_busy" }
}
