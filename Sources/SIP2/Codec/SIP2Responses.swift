import Foundation

/// 94 Login Response.
public struct SIP2LoginResponse: Sendable, Hashable {
    public var ok: Bool

    public init(ok: Bool) { self.ok = ok }

    public init(_ message: SIP2Message) throws(SIP2DecodingError) {
        var fixed = try SIP2FixedFields(message, expecting: .loginResponse)
        ok = fixed.take(1) == "1"
    }

    public var message: SIP2Message {
        SIP2Message(command: SIP2Command.loginResponse.rawValue, fixedFields: ok ? "1" : "0")
    }
}

/// 98 ACS Status: what the ACS allows and supports.
public struct SIP2ACSStatusResponse: Sendable, Hashable {
    public var online: Bool
    public var checkinOK: Bool
    public var checkoutOK: Bool
    public var renewalPolicy: Bool
    public var statusUpdateOK: Bool
    public var offlineOK: Bool
    /// Tenths of a second the SC should wait for an answer (000: no timeout, 999: unknown).
    public var timeoutPeriod: Int
    public var retriesAllowed: Int
    public var dateTime: String
    public var protocolVersion: String
    public var institution: String
    public var libraryName: String?
    public var supportedMessages: SIP2SupportedMessages
    public var terminalLocation: String?
    public var screenMessages: [String]
    public var printLines: [String]

    public init(
        online: Bool = true, checkinOK: Bool = false, checkoutOK: Bool = false, renewalPolicy: Bool = false,
        statusUpdateOK: Bool = false, offlineOK: Bool = false, timeoutPeriod: Int = 999, retriesAllowed: Int = 999,
        dateTime: String = SIP2DateTime.string(from: .init(), timeZone: .current), protocolVersion: String = SIP2.protocolVersion,
        institution: String, libraryName: String? = nil, supportedMessages: SIP2SupportedMessages = .implementedByServer,
        terminalLocation: String? = nil, screenMessages: [String] = [], printLines: [String] = []
    ) {
        self.online = online
        self.checkinOK = checkinOK
        self.checkoutOK = checkoutOK
        self.renewalPolicy = renewalPolicy
        self.statusUpdateOK = statusUpdateOK
        self.offlineOK = offlineOK
        self.timeoutPeriod = timeoutPeriod
        self.retriesAllowed = retriesAllowed
        self.dateTime = dateTime
        self.protocolVersion = protocolVersion
        self.institution = institution
        self.libraryName = libraryName
        self.supportedMessages = supportedMessages
        self.terminalLocation = terminalLocation
        self.screenMessages = screenMessages
        self.printLines = printLines
    }

    public init(_ message: SIP2Message) throws(SIP2DecodingError) {
        var fixed = try SIP2FixedFields(message, expecting: .acsStatus)
        online = fixed.flag()
        checkinOK = fixed.flag()
        checkoutOK = fixed.flag()
        renewalPolicy = fixed.flag()
        statusUpdateOK = fixed.flag()
        offlineOK = fixed.flag()
        timeoutPeriod = fixed.number(3)
        retriesAllowed = fixed.number(3)
        dateTime = fixed.take(18)
        protocolVersion = fixed.take(4)
        institution = message.value("AO") ?? ""
        libraryName = message.value("AM")
        supportedMessages = SIP2SupportedMessages(fieldValue: message.value("BX") ?? "")
        terminalLocation = message.value("AN")
        screenMessages = message.values("AF")
        printLines = message.values("AG")
    }

    public var message: SIP2Message {
        var fixed = SIP2FixedFieldsWriter()
        for flag in [online, checkinOK, checkoutOK, renewalPolicy, statusUpdateOK, offlineOK] { fixed.flag(flag) }
        fixed.number(timeoutPeriod, width: 3)
        fixed.number(retriesAllowed, width: 3)
        fixed.put(dateTime, width: 18)
        fixed.put(protocolVersion, width: 4)
        var fields = [SIP2Field("AO", institution)]
        if let libraryName { fields.append(SIP2Field("AM", libraryName)) }
        fields.append(SIP2Field("BX", supportedMessages.fieldValue))
        if let terminalLocation { fields.append(SIP2Field("AN", terminalLocation)) }
        fields += screenMessages.map { SIP2Field("AF", $0) }
        fields += printLines.map { SIP2Field("AG", $0) }
        return SIP2Message(command: SIP2Command.acsStatus.rawValue, fixedFields: fixed.text, fields: fields)
    }
}

/// 24 Patron Status Response.
public struct SIP2PatronStatusResponse: Sendable, Hashable {
    public var patronStatus: SIP2PatronStatus
    public var language: String
    public var transactionDate: String
    public var institution: String
    public var patronIdentifier: String
    /// AE is a required field: sent empty when the name is not to be disclosed.
    public var personalName: String
    /// BL; nil leaves the field out.
    public var validPatron: Bool?
    /// CQ; nil leaves the field out (no password was asked about, or the patron is unknown).
    public var validPatronPassword: Bool?
    public var screenMessages: [String]
    public var printLines: [String]

    public init(
        patronStatus: SIP2PatronStatus, language: String = "000", transactionDate: String = SIP2DateTime.string(from: .init(), timeZone: .current),
        institution: String, patronIdentifier: String, personalName: String = "", validPatron: Bool? = nil,
        validPatronPassword: Bool? = nil, screenMessages: [String] = [], printLines: [String] = []
    ) {
        self.patronStatus = patronStatus
        self.language = language
        self.transactionDate = transactionDate
        self.institution = institution
        self.patronIdentifier = patronIdentifier
        self.personalName = personalName
        self.validPatron = validPatron
        self.validPatronPassword = validPatronPassword
        self.screenMessages = screenMessages
        self.printLines = printLines
    }

    public init(_ message: SIP2Message) throws(SIP2DecodingError) {
        var fixed = try SIP2FixedFields(message, expecting: .patronStatusResponse)
        patronStatus = SIP2PatronStatus(fieldValue: fixed.take(14))
        language = fixed.take(3)
        transactionDate = fixed.take(18)
        institution = message.value("AO") ?? ""
        patronIdentifier = message.value("AA") ?? ""
        personalName = message.value("AE") ?? ""
        validPatron = message.value("BL").map { $0 == "Y" }
        validPatronPassword = message.value("CQ").map { $0 == "Y" }
        screenMessages = message.values("AF")
        printLines = message.values("AG")
    }

    public var message: SIP2Message {
        var fixed = SIP2FixedFieldsWriter()
        fixed.put(patronStatus.fieldValue, width: 14)
        fixed.put(language, width: 3, pad: "0")
        fixed.put(transactionDate, width: 18)
        var fields = [SIP2Field("AO", institution), SIP2Field("AA", patronIdentifier), SIP2Field("AE", personalName)]
        if let validPatron { fields.append(SIP2Field("BL", validPatron ? "Y" : "N")) }
        if let validPatronPassword { fields.append(SIP2Field("CQ", validPatronPassword ? "Y" : "N")) }
        fields += screenMessages.map { SIP2Field("AF", $0) }
        fields += printLines.map { SIP2Field("AG", $0) }
        return SIP2Message(command: SIP2Command.patronStatusResponse.rawValue, fixedFields: fixed.text, fields: fields)
    }
}

/// 64 Patron Information Response.
public struct SIP2PatronInformationResponse: Sendable, Hashable {
    public var patronStatus: SIP2PatronStatus
    public var language: String
    public var transactionDate: String
    public var holdItemsCount: Int
    public var overdueItemsCount: Int
    public var chargedItemsCount: Int
    public var fineItemsCount: Int
    public var recallItemsCount: Int
    public var unavailableHoldsCount: Int
    public var institution: String
    public var patronIdentifier: String
    /// AE is a required field: sent empty when the name is not to be disclosed.
    public var personalName: String
    public var holdItemsLimit: Int?
    public var overdueItemsLimit: Int?
    public var chargedItemsLimit: Int?
    public var validPatron: Bool?
    public var validPatronPassword: Bool?
    public var homeAddress: String?
    public var emailAddress: String?
    public var homePhoneNumber: String?
    public var screenMessages: [String]
    public var printLines: [String]

    public init(
        patronStatus: SIP2PatronStatus, language: String = "000", transactionDate: String = SIP2DateTime.string(from: .init(), timeZone: .current),
        holdItemsCount: Int = 0, overdueItemsCount: Int = 0, chargedItemsCount: Int = 0, fineItemsCount: Int = 0,
        recallItemsCount: Int = 0, unavailableHoldsCount: Int = 0, institution: String, patronIdentifier: String,
        personalName: String = "", holdItemsLimit: Int? = nil, overdueItemsLimit: Int? = nil, chargedItemsLimit: Int? = nil,
        validPatron: Bool? = nil, validPatronPassword: Bool? = nil, homeAddress: String? = nil, emailAddress: String? = nil,
        homePhoneNumber: String? = nil, screenMessages: [String] = [], printLines: [String] = []
    ) {
        self.patronStatus = patronStatus
        self.language = language
        self.transactionDate = transactionDate
        self.holdItemsCount = holdItemsCount
        self.overdueItemsCount = overdueItemsCount
        self.chargedItemsCount = chargedItemsCount
        self.fineItemsCount = fineItemsCount
        self.recallItemsCount = recallItemsCount
        self.unavailableHoldsCount = unavailableHoldsCount
        self.institution = institution
        self.patronIdentifier = patronIdentifier
        self.personalName = personalName
        self.holdItemsLimit = holdItemsLimit
        self.overdueItemsLimit = overdueItemsLimit
        self.chargedItemsLimit = chargedItemsLimit
        self.validPatron = validPatron
        self.validPatronPassword = validPatronPassword
        self.homeAddress = homeAddress
        self.emailAddress = emailAddress
        self.homePhoneNumber = homePhoneNumber
        self.screenMessages = screenMessages
        self.printLines = printLines
    }

    public init(_ message: SIP2Message) throws(SIP2DecodingError) {
        var fixed = try SIP2FixedFields(message, expecting: .patronInformationResponse)
        patronStatus = SIP2PatronStatus(fieldValue: fixed.take(14))
        language = fixed.take(3)
        transactionDate = fixed.take(18)
        holdItemsCount = fixed.number(4)
        overdueItemsCount = fixed.number(4)
        chargedItemsCount = fixed.number(4)
        fineItemsCount = fixed.number(4)
        recallItemsCount = fixed.number(4)
        unavailableHoldsCount = fixed.number(4)
        institution = message.value("AO") ?? ""
        patronIdentifier = message.value("AA") ?? ""
        personalName = message.value("AE") ?? ""
        holdItemsLimit = message.value("BZ").flatMap { Int($0) }
        overdueItemsLimit = message.value("CA").flatMap { Int($0) }
        chargedItemsLimit = message.value("CB").flatMap { Int($0) }
        validPatron = message.value("BL").map { $0 == "Y" }
        validPatronPassword = message.value("CQ").map { $0 == "Y" }
        homeAddress = message.value("BD")
        emailAddress = message.value("BE")
        homePhoneNumber = message.value("BF")
        screenMessages = message.values("AF")
        printLines = message.values("AG")
    }

    public var message: SIP2Message {
        var fixed = SIP2FixedFieldsWriter()
        fixed.put(patronStatus.fieldValue, width: 14)
        fixed.put(language, width: 3, pad: "0")
        fixed.put(transactionDate, width: 18)
        for count in [holdItemsCount, overdueItemsCount, chargedItemsCount, fineItemsCount, recallItemsCount, unavailableHoldsCount] {
            fixed.number(count, width: 4)
        }
        var fields = [SIP2Field("AO", institution), SIP2Field("AA", patronIdentifier), SIP2Field("AE", personalName)]
        func limit(_ code: String, _ value: Int?) {
            guard let value else { return }
            var writer = SIP2FixedFieldsWriter()
            writer.number(value, width: 4)
            fields.append(SIP2Field(code, writer.text))
        }
        limit("BZ", holdItemsLimit)
        limit("CA", overdueItemsLimit)
        limit("CB", chargedItemsLimit)
        if let validPatron { fields.append(SIP2Field("BL", validPatron ? "Y" : "N")) }
        if let validPatronPassword { fields.append(SIP2Field("CQ", validPatronPassword ? "Y" : "N")) }
        if let homeAddress { fields.append(SIP2Field("BD", homeAddress)) }
        if let emailAddress { fields.append(SIP2Field("BE", emailAddress)) }
        if let homePhoneNumber { fields.append(SIP2Field("BF", homePhoneNumber)) }
        fields += screenMessages.map { SIP2Field("AF", $0) }
        fields += printLines.map { SIP2Field("AG", $0) }
        return SIP2Message(command: SIP2Command.patronInformationResponse.rawValue, fixedFields: fixed.text, fields: fields)
    }
}

/// 36 End Session Response.
public struct SIP2EndSessionResponse: Sendable, Hashable {
    public var endSession: Bool
    public var transactionDate: String
    public var institution: String
    public var patronIdentifier: String
    public var screenMessages: [String]
    public var printLines: [String]

    public init(
        endSession: Bool = true, transactionDate: String = SIP2DateTime.string(from: .init(), timeZone: .current), institution: String,
        patronIdentifier: String, screenMessages: [String] = [], printLines: [String] = []
    ) {
        self.endSession = endSession
        self.transactionDate = transactionDate
        self.institution = institution
        self.patronIdentifier = patronIdentifier
        self.screenMessages = screenMessages
        self.printLines = printLines
    }

    public init(_ message: SIP2Message) throws(SIP2DecodingError) {
        var fixed = try SIP2FixedFields(message, expecting: .endSessionResponse)
        endSession = fixed.flag()
        transactionDate = fixed.take(18)
        institution = message.value("AO") ?? ""
        patronIdentifier = message.value("AA") ?? ""
        screenMessages = message.values("AF")
        printLines = message.values("AG")
    }

    public var message: SIP2Message {
        var fixed = SIP2FixedFieldsWriter()
        fixed.flag(endSession)
        fixed.put(transactionDate, width: 18)
        var fields = [SIP2Field("AO", institution), SIP2Field("AA", patronIdentifier)]
        fields += screenMessages.map { SIP2Field("AF", $0) }
        fields += printLines.map { SIP2Field("AG", $0) }
        return SIP2Message(command: SIP2Command.endSessionResponse.rawValue, fixedFields: fixed.text, fields: fields)
    }
}

/// 96 Request SC Resend: the ACS could not read the last message (bad checksum) and asks for it again.
public struct SIP2RequestSCResend: Sendable, Hashable {
    public init() {}

    public init(_ message: SIP2Message) throws(SIP2DecodingError) {
        _ = try SIP2FixedFields(message, expecting: .requestSCResend)
    }

    public var message: SIP2Message { SIP2Message(command: SIP2Command.requestSCResend.rawValue) }
}
