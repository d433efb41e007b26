/// A valid API token used from an address outside its client's allowed addresses (issue #14 item 6): 403,
/// as a SIP2 account's login from such an address is refused.
struct APIAddressError: UserFacingError, Equatable {
    var code: String { "address_not_allowed" }
    var messageKey: String { "error.api_address" }
}
