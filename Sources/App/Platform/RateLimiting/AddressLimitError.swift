/// Too many attempts from one client address at one door (`AddressLimit`). It tells only about the
/// address, never about an account, so it may be said plainly.
struct AddressLimitError: UserFacingError, Equatable {
    /// Whole minutes until the address's window ends.
    var minutes: Int

    var code: String { "too_many_requests_from_address" }
    var messageKey: String { "error.too_many_attempts_from_address" }
    /// The message's placeholders.
    var messageValues: [String: String] { ["minutes": String(minutes)] }
}
