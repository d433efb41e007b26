import Foundation
import Testing
@testable import SIP2

@Suite struct ChecksumTests {
    /// Responses captured from SirsiDynix Symphony servers, and the example in the PyPI `sip2` source.
    static let realMessages = [
        "98YYYYYN60000320130424    1135112.00AOEPLMNA|AMEPLMNA|BXYYYYYYYYYYYNNYYY|ANSIPCHK|AY1AZE80C",
        "98YYYYNN01000320130808    1509002.00AOst|AMSt. Albert Public Library|BXYYYYYYYYYYYYYYYY|ANUnassigned|VNSIP 2.00.106 SirsiDynix Inc. 7.5.074.40|AY1AZD3FA",
        "09N20160419    12200820160419    122008APReading Room 1|AO830|AB830$28170815|AC|AY2AZEB80",
    ]

    @Test(arguments: realMessages)
    func checksumsOfRealMessages(_ text: String) throws {
        let bytes = Array(text.utf8)
        let prefix = bytes.dropLast(4)
        #expect(SIP2Checksum.text(of: prefix) == String(text.suffix(4)))
        #expect(SIP2Checksum.verify(text.suffix(4), for: prefix))
        let received = try SIP2Message.decode(bytes + [0x0D])
        #expect(received.checksum == String(text.suffix(4)))
        #expect(received.message.sequenceNumber == Int(String(text.dropLast(6).suffix(1))))
    }

    @Test func realACSStatusReadsAsTyped() throws {
        let message = try SIP2Message.decode(Array(Self.realMessages[1].utf8)).message
        let status = try SIP2ACSStatusResponse(message)
        #expect(status.online && status.checkinOK && !status.statusUpdateOK)
        #expect(status.timeoutPeriod == 10 && status.retriesAllowed == 3)
        #expect(status.dateTime == "20130808    150900")
        #expect(status.institution == "st" && status.libraryName == "St. Albert Public Library")
        #expect(status.supportedMessages.renewAll)
        #expect(message.value("VN") == "SIP 2.00.106 SirsiDynix Inc. 7.5.074.40", "unknown fields are kept")
    }

    @Test func checksumIsTwosComplementOfTheByteSum() {
        let bytes = Array("9300CNuser|COpass|AY0AZ".utf8)
        let sum = bytes.reduce(0) { $0 + Int($1) }
        #expect(Int(SIP2Checksum.value(of: bytes)) == (0x10000 - sum % 0x10000) % 0x10000)
        #expect(SIP2Checksum.text(of: bytes).count == 4)
    }

    /// A filler long enough that the message's byte sum passes 0xF000, so its checksum is below 0x1000:
    /// only such long messages (some 600 bytes) get a checksum with fewer than four digits.
    static func fillerForSmallChecksum(_ text: (String) -> String) -> String {
        var filler = ""
        while SIP2Checksum.value(of: Array(text(filler).utf8)) >= 0x1000 { filler += "x" }
        return filler
    }

    @Test func alwaysSendsFourUpperCaseDigits() {
        let filler = Self.fillerForSmallChecksum { "2300020260315    143005AOTPML|AAA0001|ZZ\($0)|AY0AZ" }
        let encoded = SIP2Message(command: "23", fixedFields: "00020260315    143005", fields: [
            SIP2Field("AO", "TPML"), SIP2Field("AA", "A0001"), SIP2Field("ZZ", filler),
        ], sequenceNumber: 0).encoded(errorDetection: true)
        let trailer = String(decoding: encoded.suffix(7), as: UTF8.self)
        #expect(trailer.hasPrefix("AZ0"))
        #expect(trailer.dropFirst(2).dropLast().allSatisfy { $0.isNumber || ("A"..."F").contains($0) })
    }

    @Test func acceptsUnpaddedAndLowerCaseChecksums() throws {
        // What the PyPI sip2 client sends: format(checksum, 'X') without zero padding.
        let filler = Self.fillerForSmallChecksum { "9300CNuser|COpw|CP\($0)|AY1AZ" }
        let text = "9300CNuser|COpw|CP\(filler)|"
        let padded = withTrailer(text, sequence: 1)
        let unpadded = withTrailer(text, sequence: 1, digits: 1)
        #expect(unpadded.count < padded.count)
        let received = try SIP2Message.decode(unpadded)
        #expect(received.message.value("CN") == "user")
        #expect(received.message.sequenceNumber == 1)
        #expect(received.checksum?.count ?? 0 < 4)
        let lowerCase = Array(String(decoding: padded, as: UTF8.self).lowercased().suffix(5).utf8)
        #expect(throws: Never.self) { try SIP2Message.decode(Array(padded.dropLast(5)) + lowerCase) }
    }

    @Test func rejectsAWrongChecksum() {
        var bytes = withTrailer("9300CNuser|COpw|")
        bytes[5] = UInt8(ascii: "X")
        #expect(throws: SIP2DecodingError.checksumMismatch) { try SIP2Message.decode(bytes) }
        #expect(throws: Never.self) { try SIP2Message.decode(bytes, verifyChecksum: false) }
    }

    @Test func acceptsTheCodePointSumOfThePyPISip2Client() throws {
        // PyPI sip2 sums ord() of characters, not UTF-8 bytes, so non-ASCII text gets another checksum.
        let text = "2300020260315    143005AOTPML|AA王小明|AC|ADpw|AY3AZ"
        let codePointSum = text.unicodeScalars.reduce(UInt32(0)) { $0 &+ $1.value }
        let checksum = String(0 &- UInt16(truncatingIfNeeded: codePointSum), radix: 16, uppercase: true)
        let received = try SIP2Message.decode(Array((text + checksum).utf8))
        #expect(received.message.value("AA") == "王小明")
    }
}

@Suite struct MessageTests {
    @Test(arguments: ["\r", "\r\n", "\n", ""])
    func acceptsAnyLineEnd(_ lineEnd: String) throws {
        let message = try SIP2Message.decode(Array("9300CNvendor|COsecret|CPdesk 1|\(lineEnd)".utf8)).message
        let login = try SIP2LoginRequest(message)
        #expect(login == SIP2LoginRequest(user: "vendor", password: "secret", location: "desk 1"))
    }

    @Test func roundTripsEveryRequest() throws {
        let requests: [SIP2Message] = [
            SIP2LoginRequest(user: "u", password: "p", location: "loc").message,
            SIP2SCStatusRequest(statusCode: "1", maximumPrintWidth: 40).message,
            SIP2PatronStatusRequest(patronIdentifier: "A0001", patronPassword: "pw", institution: "TPML", terminalPassword: "t",
                                    transactionDate: "20260315    143005").message,
            SIP2PatronInformationRequest(patronIdentifier: "A0001", patronPassword: "pw", institution: "TPML",
                                         summary: "  Y       ", transactionDate: "20260315    143005", startItem: "1",
                                         endItem: "5").message,
            SIP2EndPatronSessionRequest(patronIdentifier: "A0001", institution: "TPML", transactionDate: "20260315    143005")
                .message,
            SIP2RequestACSResend().message,
        ]
        for var request in requests {
            for errorDetection in [false, true] {
                // 97 never carries a sequence number.
                request.sequenceNumber = errorDetection && request.command != "97" ? 7 : nil
                let decoded = try SIP2Message.decode(request.encoded(errorDetection: errorDetection))
                #expect(decoded.message == request)
                #expect((decoded.checksum != nil) == errorDetection)
            }
        }
        #expect(try SIP2PatronInformationRequest(requests[3]).summary == "  Y       ")
        #expect(try SIP2SCStatusRequest(requests[1]).maximumPrintWidth == 40)
    }

    @Test func roundTripsEveryResponse() throws {
        var denied = SIP2PatronStatus()
        denied.chargePrivilegesDenied = true
        let status = SIP2PatronStatusResponse(
            patronStatus: denied, transactionDate: "20260315    143005", institution: "TPML", patronIdentifier: "A0002",
            personalName: "林尚四", validPatron: true, validPatronPassword: false, screenMessages: ["一", "二"])
        let information = SIP2PatronInformationResponse(
            patronStatus: .unknownPatron, transactionDate: "20260315    143005", institution: "TPML", patronIdentifier: "X",
            personalName: "", holdItemsLimit: 5, overdueItemsLimit: 10, chargedItemsLimit: 20, validPatron: false,
            homeAddress: "臺北市", emailAddress: "a@b.tw", homePhoneNumber: "02")
        let acs = SIP2ACSStatusResponse(timeoutPeriod: 100, retriesAllowed: 3, dateTime: "20260315    143005",
                                        institution: "TPML", libraryName: "臺北市立圖書館", terminalLocation: "desk")
        let end = SIP2EndSessionResponse(transactionDate: "20260315    143005", institution: "TPML", patronIdentifier: "A0001")

        #expect(try SIP2PatronStatusResponse(SIP2Message.decode(status.message.encoded()).message) == status)
        #expect(try SIP2PatronInformationResponse(SIP2Message.decode(information.message.encoded()).message) == information)
        #expect(try SIP2ACSStatusResponse(SIP2Message.decode(acs.message.encoded()).message) == acs)
        #expect(try SIP2EndSessionResponse(SIP2Message.decode(end.message.encoded()).message) == end)
        #expect(try SIP2LoginResponse(SIP2Message.decode(SIP2LoginResponse(ok: true).message.encoded()).message).ok)
        #expect(SIP2RequestSCResend().message.encoded(errorDetection: true).starts(with: Array("96AZ".utf8)))
    }

    @Test func writesTheWireFormatOfThe3MSpec() {
        var denied = SIP2PatronStatus()
        denied.chargePrivilegesDenied = true
        let text = SIP2PatronStatusResponse(
            patronStatus: denied, transactionDate: "20260315    143005", institution: "TPML", patronIdentifier: "A0002",
            personalName: "", validPatron: true, validPatronPassword: true
        ).message.text
        #expect(text == "24Y             00020260315    143005AOTPML|AAA0002|AE|BLY|CQY|")
        let acs = SIP2ACSStatusResponse(timeoutPeriod: 100, retriesAllowed: 3, dateTime: "20260315    143005", institution: "TPML")
        #expect(acs.message.text == "98YNNNNN10000320260315    1430052.00AOTPML|BXYNNNYYYYYNNNNNNN|")
        let information = SIP2PatronInformationResponse(
            patronStatus: SIP2PatronStatus(), transactionDate: "20260315    143005", institution: "TPML", patronIdentifier: "A1",
            validPatron: true)
        #expect(information.message.text
            == "64" + String(repeating: " ", count: 14) + "000" + "20260315    143005" + String(repeating: "0", count: 24)
            + "AOTPML|AAA1|AE|BLY|")
    }

    @Test func keepsUnknownFieldsAndCommands() throws {
        let message = try SIP2Message.decode(Array("2300020260315    143005AOTPML|AAA0001|ZZvendor extension|XY|AC|".utf8))
            .message
        #expect(message.value("ZZ") == "vendor extension")
        #expect(message.value("XY") == "")
        #expect(try SIP2PatronStatusRequest(message).patronIdentifier == "A0001")
        let unknown = try SIP2Message.decode(Array("42something|odd".utf8)).message
        #expect(unknown.command == "42" && unknown.fixedFields == "something|odd")
        let checkout = try SIP2Message.decode(Array("11YN20260315    14300520260315    143005AOx|AAy|ABz|".utf8)).message
        #expect(checkout.value("AB") == "z")
    }

    @Test func separatorsInsideValuesAreSentAsSpaces() throws {
        let message = SIP2Message(command: "24", fixedFields: String(repeating: " ", count: 35),
                                  fields: [SIP2Field("AE", "a|b\rc\nd")])
        #expect(message.text.hasSuffix("AEa b c d|"))
        #expect(try SIP2Message.decode(message.encoded()).message.value("AE") == "a b c d")
    }

    @Test func rejectsGarbageWithoutCrashing() {
        #expect(throws: SIP2DecodingError.invalidCommand) { try SIP2Message.decode(Array("hello world".utf8)) }
        #expect(throws: SIP2DecodingError.empty) { try SIP2Message.decode([0x0D, 0x0A]) }
        #expect(throws: SIP2DecodingError.truncatedFixedFields(command: "23")) {
            try SIP2Message.decode(Array("23000".utf8))
        }
        #expect(throws: SIP2DecodingError.invalidCommand) { try SIP2Message.decode([0x16, 0x03, 0x01, 0x02, 0x00]) }
        // Random bytes never crash the decoder.
        var generator = SplitMix64(seed: 2026)
        for _ in 0..<2000 {
            let length = Int(generator.next() % 80)
            var bytes = (0..<length).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
            if generator.next() % 2 == 0 { bytes = Array("23".utf8) + bytes }
            if generator.next() % 3 == 0 { bytes += Array("AY1AZ".utf8) + Array(SIP2Checksum.text(of: bytes).utf8) }
            for encoding in SIP2TextEncoding.allCases {
                _ = try? SIP2Message.decode(bytes, encoding: encoding)
            }
        }
    }
}

@Suite struct EncodingTests {
    @Test func utf8AndLatin1() {
        #expect(SIP2TextEncoding.utf8.decode(SIP2TextEncoding.utf8.encode("王小明")) == "王小明")
        #expect(SIP2TextEncoding.latin1.encode("Müller") == [0x4D, 0xFC, 0x6C, 0x6C, 0x65, 0x72])
        #expect(SIP2TextEncoding.latin1.decode([0x4D, 0xFC]) == "Mü")
        #expect(SIP2TextEncoding.latin1.encode("王") == Array("?".utf8))
        #expect(SIP2TextEncoding.utf8.decode([0x41, 0xFF]) == "A\u{FFFD}")
    }

    @Test func cp950() {
        #expect(SIP2TextEncoding.cp950.encode("臺北市立圖書館") == [0xBB, 0x4F, 0xA5, 0x5F, 0xA5, 0xAB, 0xA5, 0xDF, 0xB9, 0xCF, 0xAE, 0xD1, 0xC0, 0x5D])
        #expect(SIP2TextEncoding.cp950.decode([0xBB, 0x4F, 0xA5, 0x5F]) == "臺北")
        #expect(SIP2TextEncoding.cp950.encode("四") == [0xA5, 0x7C], "a trail byte that is the field separator")
        #expect(SIP2TextEncoding.cp950.encode("a😀b") == Array("a?b".utf8))
        #expect(SIP2TextEncoding.cp950.decode([0x41, 0xFF, 0x42]) == "A\u{FFFD}B")
        #expect(SIP2TextEncoding.cp950.decode([0x41, 0xA5]) == "A\u{FFFD}")
    }

    @Test func cp950TrailBytesAreNotFieldSeparators() throws {
        let response = SIP2PatronStatusResponse(
            patronStatus: SIP2PatronStatus(), transactionDate: "20260315    143005", institution: "TPML",
            patronIdentifier: "A0002", personalName: "林尚四", validPatron: true)
        let bytes = response.message.encoded(encoding: .cp950, errorDetection: true)
        #expect(bytes.contains(0x7C))
        let decoded = try SIP2PatronStatusResponse(SIP2Message.decode(bytes, encoding: .cp950).message)
        #expect(decoded.personalName == "林尚四")
        #expect(decoded.validPatron == true)
    }
}

@Suite struct DateTimeTests {
    @Test func formatsLocalTaipeiTime() {
        #expect(SIP2DateTime.string(from: Date(timeIntervalSince1970: 0), timeZone: taipei) == "19700101    080000")
        #expect(SIP2DateTime.string(from: Date(timeIntervalSince1970: 1_773_556_205), timeZone: taipei) == "20260315    143005")
        #expect(SIP2DateTime.string(from: Date(timeIntervalSince1970: 951_782_399), timeZone: taipei) == "20000229    075959")
        #expect(SIP2DateTime.string(from: Date(timeIntervalSince1970: 0), timeZone: TimeZone(identifier: "UTC")!)
            == "19700101    000000")
    }

    @Test func readsLocalAndUniversalTime() {
        #expect(SIP2DateTime.date(from: "20260315    143005", timeZone: taipei) == Date(timeIntervalSince1970: 1_773_556_205))
        #expect(SIP2DateTime.date(from: "20260315   Z063005", timeZone: taipei) == Date(timeIntervalSince1970: 1_773_556_205))
        #expect(SIP2DateTime.date(from: "                  ", timeZone: taipei) == nil)
        #expect(SIP2DateTime.date(from: "20261315    143005", timeZone: taipei) == nil)
        #expect(SIP2DateTime.date(from: "2026", timeZone: taipei) == nil)
    }
}

@Suite struct LoginThrottleTests {
    final class Clock: Sendable {
        let nanoseconds = LockedState(UInt64(1_000_000_000))
        func advance(_ duration: Duration) {
            nanoseconds.withLock { $0 += UInt64(duration.components.seconds) * 1_000_000_000 }
        }
    }

    @Test func delaysProgressivelyThenLocksOut() {
        let clock = Clock()
        let throttle = SIP2LoginThrottle(
            policy: .init(window: .seconds(600), maximumFailuresPerUser: 4, maximumFailuresPerAddress: 100,
                          lockoutDuration: .seconds(900), initialDelay: .milliseconds(500), maximumDelay: .seconds(2)),
            now: { clock.nanoseconds.withLock { $0 } })
        let delays = (1...3).map { _ in throttle.recordFailure(user: "vendor", address: "10.0.0.1").delay }
        #expect(delays == [.milliseconds(500), .seconds(1), .seconds(2)])
        #expect(throttle.lockout(user: "vendor", address: "10.0.0.1") == nil)
        let fourth = throttle.recordFailure(user: "vendor", address: "10.0.0.1")
        #expect(fourth.lockedOut && fourth.failuresForUser == 4 && fourth.delay == .seconds(2))
        #expect(throttle.lockout(user: "vendor", address: "10.0.0.9") != nil, "the user is locked from any address")
        #expect(throttle.lockout(user: "other", address: "10.0.0.1") == nil, "the address is below its own limit")
        clock.advance(.seconds(901))
        #expect(throttle.lockout(user: "vendor", address: "10.0.0.1") == nil)
    }

    @Test func lockedAddressRefusesEveryUserAndOldFailuresExpire() {
        let clock = Clock()
        let throttle = SIP2LoginThrottle(
            policy: .init(window: .seconds(60), maximumFailuresPerUser: 100, maximumFailuresPerAddress: 3),
            now: { clock.nanoseconds.withLock { $0 } })
        _ = throttle.recordFailure(user: "a", address: "10.0.0.2")
        _ = throttle.recordFailure(user: "b", address: "10.0.0.2")
        clock.advance(.seconds(61))
        #expect(!throttle.recordFailure(user: "c", address: "10.0.0.2").lockedOut, "failures outside the window do not count")
        _ = throttle.recordFailure(user: "d", address: "10.0.0.2")
        #expect(throttle.recordFailure(user: "e", address: "10.0.0.2").lockedOut)
        #expect(throttle.lockout(user: "fresh", address: "10.0.0.2") != nil)
    }

    @Test func successClearsTheUserAndMemoryStaysBounded() {
        let throttle = SIP2LoginThrottle(policy: .init(maximumFailuresPerUser: 3, maximumTrackedKeys: 100))
        _ = throttle.recordFailure(user: "vendor", address: nil)
        _ = throttle.recordFailure(user: "vendor", address: nil)
        throttle.recordSuccess(user: "vendor")
        #expect(throttle.recordFailure(user: "vendor", address: nil).failuresForUser == 1)
        for index in 0..<1000 { _ = throttle.recordFailure(user: "guess\(index)", address: nil) }
        #expect(throttle.recordFailure(user: "guess999", address: nil).failuresForUser == 2, "recent entries survive pruning")
    }
}

/// A small deterministic generator for the garbage tests.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
