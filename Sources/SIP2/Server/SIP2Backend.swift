/// A SIP2 client account (a vendor's or a self-check machine's login), as the app's backend found it.
public struct SIP2Account: Sendable, Hashable {
    /// The app's own identifier of the account, for its logs.
    public var id: String
    /// The login user (CN).
    public var user: String
    /// The institution id sent as AO.
    public var institution: String
    /// The library name sent as AM in the 98.
    public var libraryName: String?
    /// With error detection on, every response carries `AY<n>AZ<checksum>` and received checksums are
    /// verified (a mismatch is answered with 96). Off, received checksums are not checked and a
    /// response carries the trailer only when its request did.
    public var errorDetection: Bool
    /// How this account's messages are turned into bytes after login.
    public var encoding: SIP2TextEncoding
    /// Whether name (AE), email (BE), phone (BF) and address (BD) are disclosed to this account.
    public var mayReadPersonalData: Bool
    /// Whether EasyCard/iPASS numbers bound to a card are accepted as patron identifiers; the backend
    /// applies it in `patron(identifier:account:)`.
    public var acceptsAlternateIdentifiers: Bool
    /// The client address the login came from, as `login` was given it: for a backend that checks on
    /// later requests that the account may still be used from there.
    public var remoteAddress: String?
    /// Opaque to the server: what the backend needs on later requests to see that the password this login
    /// was verified with is still the account's (e.g. a digest of its stored hash).
    public var credentialStamp: String?

    public init(
        id: String, user: String, institution: String, libraryName: String? = nil, errorDetection: Bool = false,
        encoding: SIP2TextEncoding = .utf8, mayReadPersonalData: Bool = false, acceptsAlternateIdentifiers: Bool = false,
        remoteAddress: String? = nil, credentialStamp: String? = nil
    ) {
        self.id = id
        self.user = user
        self.institution = institution
        self.libraryName = libraryName
        self.errorDetection = errorDetection
        self.encoding = encoding
        self.mayReadPersonalData = mayReadPersonalData
        self.acceptsAlternateIdentifiers = acceptsAlternateIdentifiers
        self.remoteAddress = remoteAddress
        self.credentialStamp = credentialStamp
    }
}

/// A card holder, as the backend found them for an account.
///
/// The server turns the flags into the 14-character patron status (`SIP2Server.patronStatus(of:)`):
/// a card that is expired or suspended gets positions 1–4 (charge, renewal, recall, hold privileges
/// denied) and a screen message; a digital-only card sets `chargePrivilegesDenied`.
public struct SIP2Patron: Sendable, Hashable {
    /// The card number, as the backend knows the card.
    public var identifier: String
    public var name: String
    public var email: String?
    public var phone: String?
    public var address: String?
    /// Position 1. Set for a digital-only card: it opens e-resources but cannot borrow.
    public var chargePrivilegesDenied: Bool
    /// Position 2.
    public var renewalPrivilegesDenied: Bool
    /// Position 3.
    public var recallPrivilegesDenied: Bool
    /// Position 4.
    public var holdPrivilegesDenied: Bool
    /// Position 5.
    public var cardReportedLost: Bool
    /// Positions 1–4 and the configured expired-card screen message.
    public var expired: Bool
    /// Positions 1–4 and the configured suspended-card screen message.
    public var suspended: Bool
    /// Extra AF screen messages, already in the account's language.
    public var screenMessages: [String]
    /// BZ, CA and CB in the 64, when the library has such limits.
    public var holdItemsLimit: Int?
    public var overdueItemsLimit: Int?
    public var chargedItemsLimit: Int?

    public init(
        identifier: String, name: String, email: String? = nil, phone: String? = nil, address: String? = nil,
        chargePrivilegesDenied: Bool = false, renewalPrivilegesDenied: Bool = false, recallPrivilegesDenied: Bool = false,
        holdPrivilegesDenied: Bool = false, cardReportedLost: Bool = false, expired: Bool = false, suspended: Bool = false,
        screenMessages: [String] = [], holdItemsLimit: Int? = nil, overdueItemsLimit: Int? = nil, chargedItemsLimit: Int? = nil
    ) {
        self.identifier = identifier
        self.name = name
        self.email = email
        self.phone = phone
        self.address = address
        self.chargePrivilegesDenied = chargePrivilegesDenied
        self.renewalPrivilegesDenied = renewalPrivilegesDenied
        self.recallPrivilegesDenied = recallPrivilegesDenied
        self.holdPrivilegesDenied = holdPrivilegesDenied
        self.cardReportedLost = cardReportedLost
        self.expired = expired
        self.suspended = suspended
        self.screenMessages = screenMessages
        self.holdItemsLimit = holdItemsLimit
        self.overdueItemsLimit = overdueItemsLimit
        self.chargedItemsLimit = chargedItemsLimit
    }
}

extension SIP2Patron {
    /// The 14-character status this server sends for the patron (positions per the 3M 2.00 spec):
    /// an expired or suspended card denies charge, renewal, recall and hold privileges (1–4), as Koha
    /// does for expired and debarred patrons; a lost card sets position 5.
    public var patronStatus: SIP2PatronStatus {
        var status = SIP2PatronStatus()
        status.chargePrivilegesDenied = chargePrivilegesDenied
        status.renewalPrivilegesDenied = renewalPrivilegesDenied
        status.recallPrivilegesDenied = recallPrivilegesDenied
        status.holdPrivilegesDenied = holdPrivilegesDenied
        status.cardReportedLost = cardReportedLost
        if expired || suspended { status.denyCirculation() }
        return status
    }
}

/// What the app supplies: its SIP2 accounts and card holders. Called off the event loop, one request
/// at a time per connection, so slow work (password hashing, database queries) is fine here.
///
/// A thrown error means "cannot answer now" (e.g. the database is down): the server logs it and
/// closes the connection rather than answering "unknown patron" or "wrong password".
public protocol SIP2Backend: Sendable {
    /// The account whose login user and password these are, or nil. `remoteAddress` is the client's
    /// IP address, for accounts bound to addresses. Failed logins are throttled and logged by the server.
    /// An account returned here is not logged in yet: the server may still refuse the 93 (a checksum
    /// mismatch on an account with error detection on), and tells `loginTaken` only once it has not.
    func login(user: String, password: String, location: String?, remoteAddress: String?) async throws -> SIP2Account?

    /// The server took a login `login` found: the connection is now logged in as `account` (for an audit
    /// trail). Not called for a 93 answered with 96.
    func loginTaken(_ account: SIP2Account, remoteAddress: String?) async throws

    /// The server refused a 93 without asking `login`, because its user or the client's address is locked
    /// out after too many failures (for an audit trail; `user` is what the client sent, perhaps no account).
    func loginRefusedDuringLockout(user: String, remoteAddress: String?) async throws

    /// The patron with this identifier, as `account` may see them, or nil when unknown. Honour
    /// `account.acceptsAlternateIdentifiers` for EasyCard/iPASS numbers.
    func patron(identifier: String, account: SIP2Account) async throws -> SIP2Patron?

    /// Whether `password` is the patron's password.
    func verifyPatronPassword(_ password: String, patron: SIP2Patron, account: SIP2Account) async throws -> Bool
}
