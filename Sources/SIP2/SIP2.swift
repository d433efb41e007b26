/// SIP2 (3M Standard Interchange Protocol 2.00) for OneCard: a codec (`SIP2Message`, the typed requests
/// and responses, `SIP2Checksum`, `SIP2TextEncoding`, `SIP2DateTime`), a SwiftNIO TCP server
/// (`SIP2Server`) that answers through an app-supplied `SIP2Backend`, and a small client (`SIP2Client`).
///
/// OneCard is an authentication service, not a circulation system: the server answers 93/94, 99/98,
/// 23/24, 63/64, 35/36 and 97 (resend), advertises exactly those in the 98's BX field
/// (`YNNNYYYYYNNNNNNN`), reports checkin, checkout, renewal, status update and offline as N, and sends
/// every item count as 0000.
///
/// Decisions, for vendors and operators:
///
/// - **Checksums.** Sent as four upper-case hex digits. Received ones are compared by value, so 1–4
///   digits in either case are accepted: the PyPI `sip2` client formats with `'X'` and no padding
///   (a message whose byte sum passes 0xF000, some 600 bytes, gets e.g. `AZFBC`). That client also
///   sums characters rather than bytes, so for non-ASCII text the code-point sum is accepted too.
/// - **Error detection per account.** On: every response carries `AY<n>AZ<checksum>`, a received
///   checksum that does not match is answered with 96, and so is unreadable input; a message without a
///   trailer is still answered (TCP already guards the bytes; refusing would only make clients loop).
///   Off: received checksums are not checked (the way out for a client that computes them wrongly),
///   and a response carries the trailer only when its request did. Before login no account's
///   setting applies yet, so the 93 is read whatever its checksum, and judged by the account it logs
///   into: with error detection on, a 93 whose checksum does not match is answered with 96 and the
///   connection stays logged out (the password was right, so it counts neither as a failed login
///   nor as a login); with it off the login stands. Other messages before login are not checked
///   either: the login-first rule decides them. The sequence number is echoed; 96 carries `AZ` but
///   no `AY`.
/// - **Login first.** As in Koha, a connection must log in with 93 before anything else; any other
///   message before a successful login closes the connection, 97 included (so resend requests
///   cannot hold an unauthenticated connection open). 99 before login is refused too, unless
///   `Configuration.allowsStatusBeforeLogin`, when it gets a 98 that names no institution (and a 97
///   re-sends the last answer). A new 93
///   replaces the login, and a failed one leaves the connection logged out. Failed logins are
///   throttled per login user and per client address (`SIP2LoginThrottle`) and logged without the
///   password.
/// - **Patron answers (as Koha and Evergreen give them).** Unknown patron: status `YYYY` and ten
///   spaces, empty AE, `BLN`, no CQ. Known patron: `BLY`; CQ only when a non-empty AD was sent (`CQY`
///   or `CQN`). AE (a required field) carries the name, and the 64 adds BE, BF and BD, only for accounts
///   with `mayReadPersonalData`, and never after a wrong password. AA and AO echo the request (AO falls
///   back to the account's institution). Status positions: 1 charge denied (a digital-only card), 2
///   renewal, 3 recall, 4 hold denied, 5 card reported lost; an expired or suspended card sets 1–4 and
///   adds a configurable AF screen message. Expired and suspended cards stay `BLY`, as in Koha: a
///   backend that wants them refused outright returns nil.
/// - **Encodings per account.** UTF-8, ISO-8859-1 or CP950 (Big5 with Microsoft's extensions, through
///   glibc's iconv). Text is decoded before it is split into fields, because CP950 trail bytes include
///   `|` (四 is A5 7C). Characters an encoding lacks are sent as `?`; the 93 is read as UTF-8.
/// - **Abuse.** A message longer than `maximumMessageLength` closes the connection, as does a TLS
///   handshake (closing at once lets TLS-probing clients fall back to plain text), five unreadable or
///   unsupported messages in a row, `maximumConnections` being reached (at accept), and
///   `idleTimeout` without activity (which also clears half-open connections). Idle counts from the
///   last byte received or answer written, and never while a message is being answered, so a backend
///   call slower than the timeout (a password hash under load) still gets its answer. A backend error
///   closes the connection instead of answering "unknown patron".
public enum SIP2 {
    /// The protocol version this package speaks, as sent in the 98 ACS status.
    public static let protocolVersion = "2.00"
}

/// The two-character command identifiers of the messages this package knows.
public enum SIP2Command: String, Sendable, CaseIterable {
    case patronStatusRequest = "23"
    case patronStatusResponse = "24"
    case endPatronSession = "35"
    case endSessionResponse = "36"
    case patronInformation = "63"
    case patronInformationResponse = "64"
    case login = "93"
    case loginResponse = "94"
    case requestSCResend = "96"
    case requestACSResend = "97"
    case acsStatus = "98"
    case scStatus = "99"

    /// Length in characters of the fixed-length fields that follow the command identifier.
    public var fixedFieldsLength: Int {
        switch self {
        case .patronStatusRequest: return 3 + 18
        case .patronStatusResponse: return 14 + 3 + 18
        case .endPatronSession: return 18
        case .endSessionResponse: return 1 + 18
        case .patronInformation: return 3 + 18 + 10
        case .patronInformationResponse: return 14 + 3 + 18 + 6 * 4
        case .login: return 1 + 1
        case .loginResponse: return 1
        case .requestSCResend, .requestACSResend: return 0
        case .acsStatus: return 6 + 3 + 3 + 18 + 4
        case .scStatus: return 1 + 3 + 4
        }
    }

    /// Fixed-field lengths of the other SIP2 2.00 messages, so that their variable fields can still be
    /// read (and ignored) when a client sends them.
    static func fixedFieldsLength(ofCommand code: String) -> Int? {
        if let known = SIP2Command(rawValue: code) { return known.fixedFieldsLength }
        switch code {
        case "01": return 1 + 18  // block patron
        case "09": return 1 + 18 + 18  // checkin
        case "11": return 1 + 1 + 18 + 18  // checkout
        case "15": return 1 + 18  // hold
        case "17": return 18  // item information
        case "19": return 18  // item status update
        case "25": return 18  // patron enable
        case "29": return 1 + 1 + 18 + 18  // renew
        case "37": return 18 + 2 + 2 + 3  // fee paid
        case "65": return 18  // renew all
        default: return nil
        }
    }
}

/// The 16 Y/N positions of the 98's supported-messages field (BX), in the order of the 2.00 spec.
public struct SIP2SupportedMessages: Sendable, Hashable {
    public var patronStatusRequest = false
    public var checkout = false
    public var checkin = false
    public var blockPatron = false
    public var scACSStatus = false
    public var requestSCACSResend = false
    public var login = false
    public var patronInformation = false
    public var endPatronSession = false
    public var feePaid = false
    public var itemInformation = false
    public var itemStatusUpdate = false
    public var patronEnable = false
    public var hold = false
    public var renew = false
    public var renewAll = false

    public init() {}

    /// What `SIP2Server` implements: 23, 99, 97, 93, 63 and 35.
    public static let implementedByServer: SIP2SupportedMessages = {
        var supported = SIP2SupportedMessages()
        supported.patronStatusRequest = true
        supported.scACSStatus = true
        supported.requestSCACSResend = true
        supported.login = true
        supported.patronInformation = true
        supported.endPatronSession = true
        return supported
    }()

    private var flags: [Bool] {
        [
            patronStatusRequest, checkout, checkin, blockPatron, scACSStatus, requestSCACSResend, login,
            patronInformation, endPatronSession, feePaid, itemInformation, itemStatusUpdate, patronEnable,
            hold, renew, renewAll,
        ]
    }

    /// The BX field value, e.g. `YNNNYYYYYNNNNNNN`.
    public var fieldValue: String { String(flags.map { $0 ? "Y" : "N" }) }

    /// Reads a BX value; missing trailing positions (1.00 sent fewer) read as N.
    public init(fieldValue: String) {
        let flags = fieldValue.map { $0 == "Y" || $0 == "y" }
        func flag(_ index: Int) -> Bool { index < flags.count ? flags[index] : false }
        patronStatusRequest = flag(0)
        checkout = flag(1)
        checkin = flag(2)
        blockPatron = flag(3)
        scACSStatus = flag(4)
        requestSCACSResend = flag(5)
        login = flag(6)
        patronInformation = flag(7)
        endPatronSession = flag(8)
        feePaid = flag(9)
        itemInformation = flag(10)
        itemStatusUpdate = flag(11)
        patronEnable = flag(12)
        hold = flag(13)
        renew = flag(14)
        renewAll = flag(15)
    }
}
