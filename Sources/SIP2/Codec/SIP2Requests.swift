import Foundation

/// Reads the fixed-length fields of a message, left to right.
struct SIP2FixedFields {
    private let scalars: [Unicode.Scalar]
    private var position = 0
    private let command: String

    init(_ message: SIP2Message, expecting command: SIP2Command) throws(SIP2DecodingError) {
        guard message.command == command.rawValue else {
            throw .unexpectedCommand(expected: command.rawValue, received: message.command)
        }
        scalars = Array(message.fixedFields.unicodeScalars)
        self.command = message.command
        guard scalars.count >= command.fixedFieldsLength else { throw .truncatedFixedFields(command: message.command) }
    }

    mutating func take(_ length: Int) -> String {
        defer { position += length }
        return String(String.UnicodeScalarView(scalars[position..<position + length]))
    }

    mutating func flag() -> Bool { take(1) == "Y" }

    mutating func number(_ length: Int) -> Int { Int(take(length).trimmingSpaces) ?? 0 }
}

extension StringProtocol {
    var trimmingSpaces: Substring {
        let text = Substring(self)
        guard let first = text.firstIndex(where: { $0 != " " }) else { return "" }
        let last = text.lastIndex(where: { $0 != " " })!
        return text[first...last]
    }
}

/// Builds fixed-length fields: pads or cuts each to its width.
struct SIP2FixedFieldsWriter {
    private(set) var text = ""

    mutating func put(_ value: String, width: Int, pad: Character = " ", leftPad: Bool = false) {
        let cut = String(value.unicodeScalars.prefix(width).map(Character.init))
        let padding = String(repeating: pad, count: max(0, width - cut.unicodeScalars.count))
        text += leftPad ? padding + cut : cut + padding
    }

    mutating func flag(_ value: Bool, no: Character = "N") { text.append(value ? "Y" : no) }

    mutating func number(_ value: Int, width: Int) {
        let limit = Int(String(repeating: "9", count: width))!
        put(String(min(max(value, 0), limit)), width: width, pad: "0", leftPad: true)
    }
}

/// 93 Login: the SC logs in with the SIP2 account's user and password.
public struct SIP2LoginRequest: Sendable, Hashable {
    /// UID and PWD algorithms; `0` means plain text, the only value in use.
    public var uidAlgorithm: String
    public var pwdAlgorithm: String
    public var user: String
    public var password: String
    public var location: String?

    public init(user: String, password: String, location: String? = nil, uidAlgorithm: String = "0", pwdAlgorithm: String = "0") {
        self.user = user
        self.password = password
        self.location = location
        self.uidAlgorithm = uidAlgorithm
        self.pwdAlgorithm = pwdAlgorithm
    }

    /// Missing CN or CO read as empty: the login then fails instead of the message being garbage.
    public init(_ message: SIP2Message) throws(SIP2DecodingError) {
        var fixed = try SIP2FixedFields(message, expecting: .login)
        uidAlgorithm = fixed.take(1)
        pwdAlgorithm = fixed.take(1)
        user = message.value("CN") ?? ""
        password = message.value("CO") ?? ""
        location = message.value("CP")
    }

    public var message: SIP2Message {
        var fixed = SIP2FixedFieldsWriter()
        fixed.put(uidAlgorithm, width: 1, pad: "0")
        fixed.put(pwdAlgorithm, width: 1, pad: "0")
        var fields = [SIP2Field("CN", user), SIP2Field("CO", password)]
        if let location { fields.append(SIP2Field("CP", location)) }
        return SIP2Message(command: SIP2Command.login.rawValue, fixedFields: fixed.text, fields: fields)
    }
}

/// 99 SC Status: the SC reports its state and asks for the ACS's rules (answered by 98).
public struct SIP2SCStatusRequest: Sendable, Hashable {
    /// 0 OK, 1 out of paper, 2 about to shut down.
    public var statusCode: String
    public var maximumPrintWidth: Int
    public var protocolVersion: String

    public init(statusCode: String = "0", maximumPrintWidth: Int = 80, protocolVersion: String = SIP2.protocolVersion) {
        self.statusCode = statusCode
        self.maximumPrintWidth = maximumPrintWidth
        self.protocolVersion = protocolVersion
    }

    public init(_ message: SIP2Message) throws(SIP2DecodingError) {
        var fixed = try SIP2FixedFields(message, expecting: .scStatus)
        statusCode = fixed.take(1)
        maximumPrintWidth = fixed.number(3)
        protocolVersion = fixed.take(4)
    }

    public var message: SIP2Message {
        var fixed = SIP2FixedFieldsWriter()
        fixed.put(statusCode, width: 1, pad: "0")
        fixed.number(maximumPrintWidth, width: 3)
        fixed.put(protocolVersion, width: 4)
        return SIP2Message(command: SIP2Command.scStatus.rawValue, fixedFields: fixed.text)
    }
}

/// 23 Patron Status Request: is this a valid patron, and (with AD) is this their password?
public struct SIP2PatronStatusRequest: Sendable, Hashable {
    public var language: String
    public var transactionDate: String
    public var institution: String
    public var patronIdentifier: String
    public var terminalPassword: String?
    public var patronPassword: String?

    public init(
        patronIdentifier: String, patronPassword: String? = nil, institution: String = "", terminalPassword: String? = nil,
        language: String = "000", transactionDate: String = SIP2DateTime.string(from: .init(), timeZone: .current)
    ) {
        self.language = language
        self.transactionDate = transactionDate
        self.institution = institution
        self.patronIdentifier = patronIdentifier
        self.terminalPassword = terminalPassword
        self.patronPassword = patronPassword
    }

    public init(_ message: SIP2Message) throws(SIP2DecodingError) {
        var fixed = try SIP2FixedFields(message, expecting: .patronStatusRequest)
        language = fixed.take(3)
        transactionDate = fixed.take(18)
        institution = message.value("AO") ?? ""
        patronIdentifier = message.value("AA") ?? ""
        terminalPassword = message.value("AC")
        patronPassword = message.value("AD")
    }

    public var message: SIP2Message {
        var fixed = SIP2FixedFieldsWriter()
        fixed.put(language, width: 3, pad: "0")
        fixed.put(transactionDate, width: 18)
        var fields = [SIP2Field("AO", institution), SIP2Field("AA", patronIdentifier)]
        fields.append(SIP2Field("AC", terminalPassword ?? ""))
        if let patronPassword { fields.append(SIP2Field("AD", patronPassword)) }
        return SIP2Message(command: SIP2Command.patronStatusRequest.rawValue, fixedFields: fixed.text, fields: fields)
    }
}

/// 63 Patron Information: status plus counts, limits and contact details.
public struct SIP2PatronInformationRequest: Sendable, Hashable {
    public var language: String
    public var transactionDate: String
    /// Ten positions, at most one `Y`, asking for one list of items (hold, overdue, charged, …).
    public var summary: String
    public var institution: String
    public var patronIdentifier: String
    public var terminalPassword: String?
    public var patronPassword: String?
    public var startItem: String?
    public var endItem: String?

    public init(
        patronIdentifier: String, patronPassword: String? = nil, institution: String = "", terminalPassword: String? = nil,
        summary: String = "          ", language: String = "000", transactionDate: String = SIP2DateTime.string(from: .init(), timeZone: .current),
        startItem: String? = nil, endItem: String? = nil
    ) {
        self.language = language
        self.transactionDate = transactionDate
        self.summary = summary
        self.institution = institution
        self.patronIdentifier = patronIdentifier
        self.terminalPassword = terminalPassword
        self.patronPassword = patronPassword
        self.startItem = startItem
        self.endItem = endItem
    }

    public init(_ message: SIP2Message) throws(SIP2DecodingError) {
        var fixed = try SIP2FixedFields(message, expecting: .patronInformation)
        language = fixed.take(3)
        transactionDate = fixed.take(18)
        summary = fixed.take(10)
        institution = message.value("AO") ?? ""
        patronIdentifier = message.value("AA") ?? ""
        terminalPassword = message.value("AC")
        patronPassword = message.value("AD")
        startItem = message.value("BP")
        endItem = message.value("BQ")
    }

    public var message: SIP2Message {
        var fixed = SIP2FixedFieldsWriter()
        fixed.put(language, width: 3, pad: "0")
        fixed.put(transactionDate, width: 18)
        fixed.put(summary, width: 10)
        var fields = [SIP2Field("AO", institution), SIP2Field("AA", patronIdentifier)]
        if let terminalPassword { fields.append(SIP2Field("AC", terminalPassword)) }
        if let patronPassword { fields.append(SIP2Field("AD", patronPassword)) }
        if let startItem { fields.append(SIP2Field("BP", startItem)) }
        if let endItem { fields.append(SIP2Field("BQ", endItem)) }
        return SIP2Message(command: SIP2Command.patronInformation.rawValue, fixedFields: fixed.text, fields: fields)
    }
}

/// 35 End Patron Session.
public struct SIP2EndPatronSessionRequest: Sendable, Hashable {
    public var transactionDate: String
    public var institution: String
    public var patronIdentifier: String
    public var terminalPassword: String?
    public var patronPassword: String?

    public init(
        patronIdentifier: String, institution: String = "", terminalPassword: String? = nil, patronPassword: String? = nil,
        transactionDate: String = SIP2DateTime.string(from: .init(), timeZone: .current)
    ) {
        self.transactionDate = transactionDate
        self.institution = institution
        self.patronIdentifier = patronIdentifier
        self.terminalPassword = terminalPassword
        self.patronPassword = patronPassword
    }

    public init(_ message: SIP2Message) throws(SIP2DecodingError) {
        var fixed = try SIP2FixedFields(message, expecting: .endPatronSession)
        transactionDate = fixed.take(18)
        institution = message.value("AO") ?? ""
        patronIdentifier = message.value("AA") ?? ""
        terminalPassword = message.value("AC")
        patronPassword = message.value("AD")
    }

    public var message: SIP2Message {
        var fixed = SIP2FixedFieldsWriter()
        fixed.put(transactionDate, width: 18)
        var fields = [SIP2Field("AO", institution), SIP2Field("AA", patronIdentifier)]
        if let terminalPassword { fields.append(SIP2Field("AC", terminalPassword)) }
        if let patronPassword { fields.append(SIP2Field("AD", patronPassword)) }
        return SIP2Message(command: SIP2Command.endPatronSession.rawValue, fixedFields: fixed.text, fields: fields)
    }
}

/// 97 Request ACS Resend: the SC asks for the last response again.
public struct SIP2RequestACSResend: Sendable, Hashable {
    public init() {}

    public init(_ message: SIP2Message) throws(SIP2DecodingError) {
        _ = try SIP2FixedFields(message, expecting: .requestACSResend)
    }

    public var message: SIP2Message { SIP2Message(command: SIP2Command.requestACSResend.rawValue) }
}
