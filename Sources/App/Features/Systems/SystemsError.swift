/// Why a change to a partner system, an API client or a SIP2 account was refused, on the web or at the
/// command line. `description` is the command line's wording (it names the option), the message key the
/// back office's (it names the field's label); both name the bad entry.
enum SystemsError: UserFacingError, Equatable, CustomStringConvertible {
    case nameRequired
    case scopeRequired
    case scopeUnknown(String)
    /// One entry of an allowed-addresses list that is neither an address nor an IPv4 CIDR block.
    case addressInvalid(String)
    /// The back office's allowed-addresses field left blank: every address must be asked for ("any").
    case addressRequired
    /// Not an https address (http only outside production).
    case webhookURLInvalid
    case userInvalid
    case userTaken(String)
    case encodingInvalid(String)
    case notFound

    var code: String {
        switch self {
        case .nameRequired: "name_required"
        case .scopeRequired: "scope_required"
        case .scopeUnknown: "scope_unknown"
        case .addressInvalid: "address_invalid"
        case .addressRequired: "address_required"
        case .webhookURLInvalid: "webhook_url_invalid"
        case .userInvalid: "user_invalid"
        case .userTaken: "user_taken"
        case .encodingInvalid: "encoding_invalid"
        case .notFound: "not_found"
        }
    }

    var messageKey: String { "systems.error.\(code)" }

    /// The back-office form field the error is about, so the message sits beside it.
    var field: String {
        switch self {
        case .nameRequired: "name"
        case .scopeRequired, .scopeUnknown: "scopes"
        case .addressInvalid, .addressRequired: "allow"
        case .webhookURLInvalid: "url"
        case .userInvalid, .userTaken: "user"
        case .encodingInvalid: "encoding"
        case .notFound: "form"
        }
    }

    var messageValues: [String: String] {
        switch self {
        case .addressInvalid(let entry): ["entry": entry]
        case .userTaken(let user): ["user": user]
        case .encodingInvalid(let encoding): ["encoding": encoding]
        case .scopeUnknown(let word): ["scope": word]
        default: [:]
        }
    }

    /// The allowed-addresses field of a back-office form: a blank one is refused, so an account or client open
    /// to every address is always asked for by typing "any", never what an empty field gives.
    static func requireAddresses(_ text: String?) throws -> String {
        let text = text ?? ""
        guard !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { throw SystemsError.addressRequired }
        return text
    }

    var description: String {
        switch self {
        case .nameRequired: "--name is required"
        case .scopeRequired: "--scope is required: \(APIClients.scopeChoices)"
        case .scopeUnknown(let word): "--scope: unknown scope '\(word)'; choose from \(APIClients.scopeChoices)"
        case .addressInvalid(let entry): "--allow: '\(entry)' is not an address or IPv4 CIDR block"
        case .addressRequired: "--allow is required: addresses, IPv4 CIDR blocks or 'any'"
        case .webhookURLInvalid: "--url must be an https:// address (http:// only outside production)"
        case .userInvalid: "--user is required (at most 64 characters, no '|')"
        case .userTaken(let user): "a SIP2 account with user '\(user)' already exists"
        case .encodingInvalid(let encoding): "--encoding must be utf8, latin1 or cp950, not '\(encoding)'"
        case .notFound: "no such partner system, API client or SIP2 account"
        }
    }
}
