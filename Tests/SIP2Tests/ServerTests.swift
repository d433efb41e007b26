import Foundation
import NIOCore
import Testing
@testable import SIP2

/// The server over real loopback sockets, with the in-memory backend.
@Suite struct ServerTests {
    @Test func aConnectionMustLogInBeforeAnythingElse() async throws {
        let log = LogCollector()
        try await withServer(log: log) { port, _ in
            let client = try await connect(port)
            try await client.send(SIP2PatronStatusRequest(patronIdentifier: "A0001").message.encoded())
            #expect(await closedByServer(client))

            let statusFirst = try await connect(port)
            try await statusFirst.send(SIP2SCStatusRequest().message.encoded())
            #expect(await closedByServer(statusFirst), "99 before login closes too, unless allowed")
        }
        #expect(log.events("request_before_login").count == 2)
    }

    @Test func statusBeforeLoginWhenAllowedNamesNoInstitution() async throws {
        var configuration = testConfiguration()
        configuration.allowsStatusBeforeLogin = true
        try await withServer(configuration: configuration) { port, _ in
            let client = try await connect(port)
            let status = try SIP2ACSStatusResponse(try await client.request(SIP2SCStatusRequest().message))
            #expect(status.online && status.institution == "" && status.libraryName == nil)
            try await client.send(SIP2PatronStatusRequest(patronIdentifier: "A0001").message.encoded())
            #expect(await closedByServer(client), "patron messages still need a login")
        }
    }

    @Test func wrongTerminalPasswordIsRefusedAndLoggedWithoutThePassword() async throws {
        let log = LogCollector()
        try await withServer(log: log) { port, _ in
            let client = try await connect(port)
            let response = try await client.request(SIP2LoginRequest(user: "vendor", password: "guess-123").message)
            #expect(String(decoding: response.encoded().dropLast(), as: UTF8.self) == "940")
            let retry = try await client.request(SIP2LoginRequest(user: "vendor", password: "vendor-secret").message)
            #expect(try SIP2LoginResponse(retry).ok, "the same connection may log in again")
            await client.close()
        }
        let failure = try #require(log.events("login_failed").first)
        #expect(failure.metadata["user"] == "vendor")
        #expect(failure.metadata["address"] == "127.0.0.1")
        #expect(failure.metadata["failuresForUser"] == "1")
        #expect(!log.all.contains { $0.description.contains("guess-123") || $0.description.contains("vendor-secret") })
    }

    @Test func repeatedFailuresLockTheUserOutEvenWithTheRightPassword() async throws {
        var configuration = testConfiguration()
        configuration.loginThrottle.maximumFailuresPerUser = 3
        let log = LogCollector()
        let backend = FakeBackend()
        try await withServer(configuration: configuration, backend: backend, log: log) { port, _ in
            let client = try await connect(port)
            for attempt in 1...3 {
                let response = try await client.request(SIP2LoginRequest(user: "vendor", password: "guess-\(attempt)").message)
                #expect(try !SIP2LoginResponse(response).ok)
            }
            let right = try await client.request(SIP2LoginRequest(user: "vendor", password: "vendor-secret").message)
            #expect(try !SIP2LoginResponse(right).ok)
            let otherUser = try await client.request(SIP2LoginRequest(user: "selfcheck", password: "selfcheck-secret").message)
            #expect(try SIP2LoginResponse(otherUser).ok, "only the guessed user is locked, the address is under its limit")
            await client.close()
        }
        #expect(log.events("login_failed").last?.metadata["lockedOut"] == "true")
        #expect(log.events("login_locked_out").count == 1)
        // The backend hears of the refusal during the lockout (it never saw the password), for its audit trail.
        #expect(backend.loginEvents.withLock { $0 } == ["lockedOut:vendor", "taken:selfcheck"])
    }

    @Test func unknownPatronIsNotValid() async throws {
        try await withServer { port, _ in
            let client = try await loggedIn(port)
            let response = try await client.request(
                SIP2PatronStatusRequest(patronIdentifier: "NOPE", patronPassword: "x", institution: "TPML").message)
            let status = try SIP2PatronStatusResponse(response)
            #expect(status.patronStatus.fieldValue == "YYYY          ")
            #expect(status.validPatron == false)
            #expect(status.validPatronPassword == nil, "no CQ for an unknown patron")
            #expect(response.has("AE") && status.personalName == "")
            #expect(status.patronIdentifier == "NOPE" && status.institution == "TPML")
            await client.close()
        }
    }

    @Test func patronPasswordAnswers() async throws {
        try await withServer { port, _ in
            let client = try await loggedIn(port, user: "selfcheck", errorDetection: true)
            func status(_ password: String?) async throws -> SIP2PatronStatusResponse {
                try SIP2PatronStatusResponse(try await client.request(
                    SIP2PatronStatusRequest(patronIdentifier: "A0001", patronPassword: password, institution: "TPML").message))
            }
            let wrong = try await status("nope")
            #expect(wrong.validPatron == true && wrong.validPatronPassword == false)
            #expect(wrong.personalName == "", "no name after a wrong password, even to a trusted account")
            let right = try await status("ming-pass")
            #expect(right.validPatron == true && right.validPatronPassword == true)
            #expect(right.personalName == "王小明")
            #expect(right.patronStatus.fieldValue == String(repeating: " ", count: 14))
            let none = try await status(nil)
            #expect(none.validPatron == true && none.validPatronPassword == nil, "no AD, no CQ")
            let empty = try await status("")
            #expect(empty.validPatronPassword == nil, "an empty AD counts as none")
            await client.close()
        }
    }

    @Test func personalDataOnlyToAccountsAllowedToSeeIt() async throws {
        try await withServer { port, _ in
            for (user, trusted) in [("vendor", false), ("selfcheck", true)] {
                let client = try await loggedIn(port, user: user, errorDetection: user == "selfcheck")
                let status = try SIP2PatronStatusResponse(try await client.request(
                    SIP2PatronStatusRequest(patronIdentifier: "A0001", patronPassword: "ming-pass").message))
                #expect(status.validPatronPassword == true)
                #expect(status.personalName == (trusted ? "王小明" : ""))
                let information = try SIP2PatronInformationResponse(try await client.request(
                    SIP2PatronInformationRequest(patronIdentifier: "A0001", patronPassword: "ming-pass").message))
                #expect(information.personalName == (trusted ? "王小明" : ""))
                #expect(information.emailAddress == (trusted ? "ming@example.tw" : nil))
                #expect(information.homePhoneNumber == (trusted ? "02-2755-2823" : nil))
                #expect(information.validPatron == true && information.validPatronPassword == true)
                let counts: [Int] = [information.holdItemsCount, information.chargedItemsCount, information.unavailableHoldsCount]
                #expect(counts == [0, 0, 0])
                await client.close()
            }
        }
    }

    @Test func cardStatesMapToStatusPositions() async throws {
        try await withServer { port, _ in
            let client = try await loggedIn(port)
            func status(_ identifier: String) async throws -> SIP2PatronStatusResponse {
                try SIP2PatronStatusResponse(try await client.request(SIP2PatronStatusRequest(patronIdentifier: identifier).message))
            }
            let digital = try await status("A0002")
            #expect(digital.patronStatus.fieldValue == "Y             ", "digital-only: charge privileges denied")
            #expect(digital.validPatron == true)
            let expired = try await status("A0003")
            #expect(expired.patronStatus.fieldValue == "YYYY          ")
            #expect(expired.validPatron == true && expired.screenMessages == ["Card expired"])
            let suspended = try await status("A0004")
            #expect(suspended.patronStatus.fieldValue == "YYYY          ")
            #expect(suspended.screenMessages == ["請洽櫃臺", "Card suspended"])
            let information = try SIP2PatronInformationResponse(
                try await client.request(SIP2PatronInformationRequest(patronIdentifier: "A0002").message))
            #expect(information.patronStatus.chargePrivilegesDenied && !information.patronStatus.renewalPrivilegesDenied)
            await client.close()
        }
    }

    @Test func alternateIdentifiersOnlyForAccountsThatAcceptThem() async throws {
        try await withServer { port, _ in
            for (user, accepted) in [("vendor", false), ("selfcheck", true)] {
                let client = try await loggedIn(port, user: user)
                let status = try SIP2PatronStatusResponse(try await client.request(
                    SIP2PatronStatusRequest(patronIdentifier: "1234567890123456", patronPassword: "ming-pass").message))
                #expect(status.validPatron == accepted)
                #expect(status.validPatronPassword == (accepted ? true : nil))
                #expect(status.patronIdentifier == "1234567890123456", "AA echoes what the client sent")
                await client.close()
            }
        }
    }

    @Test func acsStatusEndSessionAndResend() async throws {
        try await withServer { port, _ in
            let client = try await loggedIn(port)
            let acs = try SIP2ACSStatusResponse(try await client.request(SIP2SCStatusRequest().message))
            #expect(acs.online && !acs.checkinOK && !acs.checkoutOK && !acs.renewalPolicy && !acs.statusUpdateOK && !acs.offlineOK)
            #expect(acs.protocolVersion == "2.00" && acs.institution == "TPML" && acs.libraryName == "臺北市立圖書館")
            #expect(acs.supportedMessages.fieldValue == "YNNNYYYYYNNNNNNN")
            #expect(acs.dateTime == "20260315    143005")
            #expect(acs.timeoutPeriod == 100 && acs.retriesAllowed == 3)

            let end = try SIP2EndSessionResponse(try await client.request(
                SIP2EndPatronSessionRequest(patronIdentifier: "A0001", institution: "TPML").message))
            #expect(end.endSession && end.patronIdentifier == "A0001")

            let first = try await client.request(SIP2PatronStatusRequest(patronIdentifier: "A0001").message)
            let resent = try await client.request(SIP2RequestACSResend().message)
            #expect(resent == first)
            await client.close()
        }
    }

    @Test func errorDetectionEchoesSequenceNumbersAndAnswersBadChecksumsWith96() async throws {
        try await withServer { port, _ in
            let client = try await loggedIn(port, user: "selfcheck", errorDetection: true)
            for expected in 1...3 {
                let response = try await client.request(SIP2PatronStatusRequest(patronIdentifier: "A0001").message)
                #expect(response.sequenceNumber == expected)
            }
            var corrupted = SIP2PatronStatusRequest(patronIdentifier: "A0001").message.encoded(errorDetection: true)
            corrupted[corrupted.count - 2] = corrupted[corrupted.count - 2] == UInt8(ascii: "0") ? UInt8(ascii: "1") : UInt8(ascii: "0")
            try await client.send(corrupted)
            let answer = try #require(try await client.receive())
            #expect(String(decoding: answer, as: UTF8.self).hasPrefix("96AZ"))
            #expect(try SIP2Message.decode(answer).message.command == "96", "the 96 carries a valid checksum")
            // Without a checksum the message is still answered, with one.
            try await client.send(SIP2PatronStatusRequest(patronIdentifier: "A0001").message.encoded())
            let plain = try #require(try await client.receive())
            #expect(try SIP2Message.decode(plain).checksum != nil)
            await client.close()
        }
    }

    @Test func unpaddedChecksumsAreAccepted() async throws {
        try await withServer { port, _ in
            let client = try await connect(port)
            // Checksums below 0x1000 need a byte sum above 0xF000: a long location does it.
            var padding = ""
            while SIP2Checksum.value(of: Array("9300CNselfcheck|COselfcheck-secret|CP\(padding)|AY0AZ".utf8)) >= 0x1000 {
                padding += "x"
            }
            try await client.send(withTrailer("9300CNselfcheck|COselfcheck-secret|CP\(padding)|", digits: 1))
            let response = try #require(try await client.receive())
            #expect(String(decoding: response, as: UTF8.self).hasPrefix("941AY0AZ"))
            await client.close()
        }
    }

    @Test func lineEndsAndPipelinedMessages() async throws {
        try await withServer { port, _ in
            let client = try await connect(port)
            let login = SIP2LoginRequest(user: "vendor", password: "vendor-secret").message.encoded().dropLast()
            let status = SIP2PatronStatusRequest(patronIdentifier: "A0001").message.encoded().dropLast()
            let end = SIP2EndPatronSessionRequest(patronIdentifier: "A0001").message.encoded().dropLast()
            // Three messages in one packet, ended by CRLF, LF and CR.
            try await client.send(Array(login) + [0x0D, 0x0A] + Array(status) + [0x0A] + Array(end) + [0x0D])
            let answers = [try await client.receive(), try await client.receive(), try await client.receive()]
            #expect(answers.map { $0.map { String(decoding: $0.prefix(2), as: UTF8.self) } } == ["94", "24", "36"])
            await client.close()
        }
    }

    @Test func cp950Accounts() async throws {
        try await withServer { port, _ in
            let client = try await loggedIn(port, user: "legacy", encoding: .cp950)
            let response = try await client.request(SIP2PatronStatusRequest(patronIdentifier: "A0002").message)
            #expect(try SIP2PatronStatusResponse(response).personalName == "林尚四")
            let acs = try SIP2ACSStatusResponse(try await client.request(SIP2SCStatusRequest().message))
            #expect(acs.libraryName == "臺北市立圖書館")
            await client.close()
        }
    }

    @Test func overlongMessagesCloseTheConnection() async throws {
        var configuration = testConfiguration()
        configuration.maximumMessageLength = 256
        let log = LogCollector()
        try await withServer(configuration: configuration, log: log) { port, _ in
            let client = try await loggedIn(port)
            try await client.send(Array(repeating: UInt8(ascii: "9"), count: 300))
            #expect(await closedByServer(client))
            let terminated = try await loggedIn(port)
            try await terminated.send(Array("23".utf8) + Array(repeating: UInt8(ascii: "0"), count: 257) + [0x0D])
            #expect(await closedByServer(terminated))
        }
        #expect(log.events("connection_closed").allSatisfy { $0.message.contains("longer than 256 bytes") })
        #expect(log.events("connection_closed").count == 2)
    }

    @Test func idleAndHalfOpenConnectionsAreClosed() async throws {
        var configuration = testConfiguration()
        configuration.idleTimeout = .seconds(2)
        let log = LogCollector()
        try await withServer(configuration: configuration, log: log) { port, server in
            // One logs in and then goes quiet like a vanished peer; the other never says anything. Both on
            // sockets of their own threads, so a test task waiting for the shared cooperative pool cannot
            // make a correct close look early or a late login look idle.
            let login = SIP2LoginRequest(user: "vendor", password: "vendor-secret").message.encoded()
            async let quietExchange = exchangeOnOwnThread(port: port, send: login, timeout: .seconds(20))
            async let silentExchange = exchangeOnOwnThread(port: port, send: [], timeout: .seconds(20))
            let (quiet, silent) = await (quietExchange, silentExchange)

            try #require(quiet.frames.count == 1)
            #expect(String(decoding: quiet.frames[0].bytes, as: UTF8.self).hasPrefix("941"))
            let quietClosed = try #require(quiet.closedAt, "the quiet connection is closed")
            #expect(quietClosed - quiet.frames[0].at >= .milliseconds(1500), "not before the timeout, counted from the answer")
            #expect(quietClosed - quiet.frames[0].at < .seconds(10))
            #expect(silent.frames.isEmpty)
            let silentClosed = try #require(silent.closedAt, "the silent connection is closed")
            #expect(silentClosed - silent.startedAt >= .seconds(2), "not before the timeout")
            #expect(silentClosed - silent.startedAt < .seconds(10))
            #expect(log.events("idle_timeout").count == 2)
            try await Task.sleep(for: .milliseconds(100))
            #expect(server.connectionCount == 0)
        }
    }

    @Test func aBackendCallSlowerThanTheIdleTimeoutIsStillAnswered() async throws {
        var configuration = testConfiguration()
        configuration.idleTimeout = .seconds(2)
        var backend = FakeBackend()
        backend.verifyDelay = .seconds(4)
        let log = LogCollector()
        try await withServer(configuration: configuration, backend: backend, log: log) { port, server in
            // Login and patron status in one packet, on a socket of its own thread: no quiet gap the idle
            // timer would rightly count can come from the test waiting for the shared cooperative pool.
            let login = SIP2LoginRequest(user: "vendor", password: "vendor-secret").message.encoded()
            let request = SIP2PatronStatusRequest(patronIdentifier: "A0001", patronPassword: "ming-pass").message.encoded()
            let exchange = await exchangeOnOwnThread(port: port, send: login + request, timeout: .seconds(20))
            try #require(exchange.frames.count == 2, "both answered: \(log.all.map(\.event))")
            #expect(String(decoding: exchange.frames[0].bytes, as: UTF8.self).hasPrefix("941"))
            let status = try SIP2PatronStatusResponse(SIP2Message.decode(exchange.frames[1].bytes, encoding: .utf8, verifyChecksum: true).message)
            #expect(status.validPatron == true && status.validPatronPassword == true, "answered after 4 s, not cut at 2 s")
            #expect(exchange.frames[1].at - exchange.sentAt >= .milliseconds(3900))
            // Idle counts from that answer: the connection is still closed once it goes quiet, not before.
            let closedAt = try #require(exchange.closedAt, "closed once quiet")
            #expect(closedAt - exchange.frames[1].at >= .milliseconds(1500), "2 s of quiet after the answer")
            #expect(log.events("idle_timeout").count == 1)
            try await Task.sleep(for: .milliseconds(100))
            #expect(server.connectionCount == 0)
        }
    }

    @Test func aLoginWithABadChecksumFollowsTheAccountsErrorDetection() async throws {
        func corrupted(_ user: String) -> [UInt8] {
            var bytes = withTrailer("9300CN\(user)|CO\(user)-secret|CPdesk|")
            let last = bytes.count - 2  // the last checksum digit, before CR
            bytes[last] = bytes[last] == UInt8(ascii: "0") ? UInt8(ascii: "1") : UInt8(ascii: "0")
            return bytes
        }
        let log = LogCollector()
        let backend = FakeBackend()
        try await withServer(backend: backend, log: log) { port, _ in
            // vendor has error detection off: its login stands whatever the checksum.
            let vendor = try await connect(port)
            try await vendor.send(corrupted("vendor"))
            let vendorAnswer = try #require(try await vendor.receive())
            #expect(String(decoding: vendorAnswer, as: UTF8.self).hasPrefix("941"))
            let status = try await vendor.request(SIP2PatronStatusRequest(patronIdentifier: "A0001").message)
            #expect(try SIP2PatronStatusResponse(status).validPatron == true, "logged in")
            await vendor.close()

            // selfcheck has error detection on: a 96, still logged out, and a good 93 then logs in.
            let selfcheck = try await connect(port)
            try await selfcheck.send(corrupted("selfcheck"))
            let resend = try #require(try await selfcheck.receive())
            #expect(String(decoding: resend, as: UTF8.self).hasPrefix("96AZ"))
            try await selfcheck.send(withTrailer("9300CNselfcheck|COselfcheck-secret|CPdesk|"))
            let retried = try #require(try await selfcheck.receive())
            #expect(String(decoding: retried, as: UTF8.self).hasPrefix("941AY0AZ"))
            await selfcheck.close()

            // Logged out after the 96: a patron request still closes the connection.
            let refused = try await connect(port)
            try await refused.send(corrupted("selfcheck"))
            _ = try await refused.receive()
            try await refused.send(SIP2PatronStatusRequest(patronIdentifier: "A0001").message.encoded())
            #expect(await closedByServer(refused))
        }
        #expect(log.events("login_checksum_mismatch").count == 2)
        #expect(log.events("login_failed").isEmpty, "a right password with a bad checksum is no failed login")
        // Only logins the server took are reported as taken: never a 93 answered with 96.
        #expect(backend.loginEvents.withLock { $0 } == ["taken:vendor", "taken:selfcheck"])
    }

    @Test func aResendRequestBeforeLoginClosesTheConnection() async throws {
        let log = LogCollector()
        try await withServer(log: log) { port, _ in
            let client = try await connect(port)
            try await client.send(SIP2RequestACSResend().message.encoded())
            #expect(await closedByServer(client))
        }
        #expect(log.events("request_before_login").count == 1)
    }

    @Test func garbageIsIgnoredThenTheConnectionClosed() async throws {
        let log = LogCollector()
        try await withServer(log: log) { port, _ in
            let client = try await loggedIn(port)
            try await client.send(Array("hello\r".utf8))
            try await client.send(Array("11YN20260315    14300520260315    143005AOx|AAy|ABz|\r".utf8))
            // A valid message in between resets the count and is answered.
            let status = try await client.request(SIP2PatronStatusRequest(patronIdentifier: "A0001").message)
            #expect(status.command == "24")
            for _ in 0..<5 { try await client.send([0x01, 0x02, 0xFF, 0x0D]) }
            #expect(await closedByServer(client))
        }
        #expect(log.events("invalid_messages").count == 1)
    }

    @Test func garbageUnderErrorDetectionGets96() async throws {
        try await withServer { port, _ in
            let client = try await loggedIn(port, user: "selfcheck", errorDetection: true)
            try await client.send(Array("#@!garbage\r".utf8))
            let answer = try #require(try await client.receive())
            #expect(String(decoding: answer.prefix(2), as: UTF8.self) == "96")
            await client.close()
        }
    }

    @Test func aTLSHandshakeIsClosedAtOnce() async throws {
        let log = LogCollector()
        try await withServer(log: log) { port, _ in
            let client = try await connect(port)
            try await client.send([0x16, 0x03, 0x01, 0x00, 0xC8, 0x01, 0x00, 0x00, 0xC4, 0x03, 0x03])
            #expect(await closedByServer(client, within: .seconds(2)))
        }
        #expect(log.events("connection_closed").first?.message.contains("TLS") == true)
    }

    @Test func connectionsBeyondTheLimitAreRefused() async throws {
        var configuration = testConfiguration()
        configuration.maximumConnections = 3
        let log = LogCollector()
        try await withServer(configuration: configuration, log: log) { port, server in
            var clients: [SIP2Client] = []
            for _ in 0..<3 { clients.append(try await loggedIn(port)) }
            let extra = try await connect(port)
            #expect(await closedByServer(extra))
            #expect(server.connectionCount == 3)
            await clients[0].close()
            try await Task.sleep(for: .milliseconds(200))
            let replacement = try await loggedIn(port)
            for client in clients.dropFirst() + [replacement] { await client.close() }
        }
        #expect(log.events("connection_refused").count == 1)
    }

    /// Issue #12, item 7: connections that never log in, from one address, cannot lock everyone out.
    @Test func oneAddressCannotTakeEveryConnection() async throws {
        var configuration = testConfiguration()
        configuration.maximumConnections = 4
        configuration.maximumConnectionsPerAddress = 3
        let log = LogCollector()
        try await withServer(configuration: configuration, log: log) { port, server in
            var squatters: [SIP2Client] = []
            for index in 0..<3 {
                squatters.append(try await connect(port))
                try await waitForConnections(server, count: index + 1)
            }
            let extra = try await connect(port)
            #expect(await closedByServer(extra), "the address's fourth connection is refused")

            let other = try await loggedIn(port, from: "127.0.0.2")
            let status = try SIP2PatronStatusResponse(try await other.request(SIP2PatronStatusRequest(patronIdentifier: "A0002").message))
            #expect(status.validPatron == true, "a client from another address is still served")
            #expect(server.connectionCount == 4)

            await squatters[0].close()
            try await Task.sleep(for: .milliseconds(200))
            let replacement = try await loggedIn(port)
            #expect(server.connectionCount == 4, "a closed connection gives its address its place back")
            for client in squatters.dropFirst() + [other, replacement] { await client.close() }
        }
        let refused = try #require(log.events("connection_refused").first)
        #expect(refused.message.contains("3 connections open from this address"))
        #expect(refused.metadata["address"] == "127.0.0.1")
    }

    @Test func ipv6ClientsCountByTheirSlash64() throws {
        #expect(SIP2Server.client(of: try SocketAddress(ipAddress: "2001:db8:1:2:aaaa::1", port: 1)) == "2001:db8:1:2::/64")
        #expect(SIP2Server.client(of: try SocketAddress(ipAddress: "2001:db8:1:2:bbbb::9", port: 1)) == "2001:db8:1:2::/64")
        #expect(SIP2Server.client(of: try SocketAddress(ipAddress: "2001:db8:1:3::1", port: 1)) == "2001:db8:1:3::/64")
        #expect(SIP2Server.client(of: try SocketAddress(ipAddress: "::ffff:192.0.2.7", port: 1)) == "192.0.2.7")
        #expect(SIP2Server.client(of: try SocketAddress(ipAddress: "192.0.2.7", port: 1)) == "192.0.2.7")
    }

    /// Issue #12, item 7: a connection must log in by a deadline counted from its accept, whatever it sends.
    @Test func aConnectionThatDoesNotLogInInTimeIsClosed() async throws {
        var configuration = testConfiguration()
        configuration.loginTimeout = .seconds(1)
        configuration.idleTimeout = .seconds(60)
        let log = LogCollector()
        try await withServer(configuration: configuration, log: log) { port, server in
            // On sockets of their own threads: a test task waiting for the cooperative pool must not make
            // the logged-in connection miss its deadline.
            let wrongLogin = SIP2LoginRequest(user: "vendor", password: "guess-1").message.encoded()
            let login = SIP2LoginRequest(user: "vendor", password: "vendor-secret").message.encoded()
            let status = SIP2PatronStatusRequest(patronIdentifier: "A0002").message.encoded()
            async let silentExchange = exchangeOnOwnThread(port: port, send: [], timeout: .seconds(20))
            async let failingExchange = exchangeOnOwnThread(
                port: port, send: wrongLogin, thenEvery: .milliseconds(200), send: [0x0D], timeout: .seconds(20))
            async let loggedInExchange = exchangeOnOwnThread(
                port: port, send: login, thenEvery: .milliseconds(1500), send: status, timeout: .seconds(4))
            let (silent, failing, loggedIn) = await (silentExchange, failingExchange, loggedInExchange)

            let silentClosed = try #require(silent.closedAt, "a connection that says nothing is closed at the deadline")
            #expect(silentClosed - silent.startedAt >= .seconds(1), "not before the deadline")
            #expect(silentClosed - silent.startedAt < .seconds(10))
            try #require(failing.frames.count == 1)
            #expect(String(decoding: failing.frames[0].bytes, as: UTF8.self).hasPrefix("940"))
            let failingClosed = try #require(failing.closedAt, "a failed login does not earn more time")
            #expect(failingClosed - failing.startedAt >= .seconds(1))
            #expect(failingClosed - failing.startedAt < .seconds(10))

            // The logged-in connection is past its deadline too, and still served.
            #expect(loggedIn.closedAt == nil)
            try #require(loggedIn.frames.count >= 3, "941 and two 24s, one of them after the deadline (\(loggedIn.failure ?? "no failure"))")
            #expect(String(decoding: loggedIn.frames[0].bytes, as: UTF8.self).hasPrefix("941"))
            let last = try SIP2PatronStatusResponse(SIP2Message.decode(loggedIn.frames.last!.bytes, encoding: .utf8, verifyChecksum: true).message)
            #expect(last.validPatron == true)
            #expect(loggedIn.frames.last!.at - loggedIn.startedAt >= .seconds(1))
            try await Task.sleep(for: .milliseconds(100))
            #expect(server.connectionCount == 0)
        }
        #expect(log.events("login_timeout").count == 2)
    }

    /// Issue #12, item 7: lone line ends and an unfinished message do not reset the idle timer.
    @Test func emptyMessagesDoNotKeepAConnectionOpen() async throws {
        var configuration = testConfiguration()
        configuration.idleTimeout = .seconds(2)
        let log = LogCollector()
        try await withServer(configuration: configuration, log: log) { port, server in
            let login = SIP2LoginRequest(user: "vendor", password: "vendor-secret").message.encoded()
            async let lineEndsExchange = exchangeOnOwnThread(
                port: port, send: login, thenEvery: .milliseconds(250), send: [0x0D, 0x0A, 0x0D, 0x0A, 0x0A], timeout: .seconds(20))
            async let drippingExchange = exchangeOnOwnThread(
                port: port, send: login, thenEvery: .milliseconds(250), send: Array("2".utf8), timeout: .seconds(20))
            let (lineEnds, dripping) = await (lineEndsExchange, drippingExchange)
            for exchange in [lineEnds, dripping] {
                try #require(exchange.frames.count == 1)
                #expect(String(decoding: exchange.frames[0].bytes, as: UTF8.self).hasPrefix("941"))
                let closedAt = try #require(exchange.closedAt, "closed as idle although bytes kept coming")
                #expect(closedAt - exchange.frames[0].at >= .milliseconds(1500), "not before the timeout, counted from the answer")
                #expect(closedAt - exchange.frames[0].at < .seconds(10))
                #expect(exchange.fillersSent >= 4, "the client kept sending until the close")
            }
            #expect(log.events("idle_timeout").count == 2)
            try await Task.sleep(for: .milliseconds(100))
            #expect(server.connectionCount == 0)
        }
    }

    @Test func backendFailuresCloseTheConnectionInsteadOfAnsweringWrongly() async throws {
        var backend = FakeBackend()
        backend.failingLookups = true
        let log = LogCollector()
        try await withServer(backend: backend, log: log) { port, _ in
            let client = try await loggedIn(port)
            try await client.send(SIP2PatronStatusRequest(patronIdentifier: "A0001").message.encoded())
            #expect(await closedByServer(client))
        }
        #expect(log.events("backend_error").count == 1)
    }

    @Test(.timeLimit(.minutes(1)))
    func fiveHundredConcurrentConnections() async throws {
        raiseOpenFileLimit()
        // All of them come from 127.0.0.1, which stands for 500 clients here, not for one.
        var configuration = testConfiguration()
        configuration.maximumConnectionsPerAddress = 500
        try await withServer(configuration: configuration) { port, server in
            let clients = try await withThrowingTaskGroup(of: SIP2Client.self) { group in
                for _ in 0..<500 { group.addTask { try await connect(port) } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(clients.count == 500)
            let valid = try await withThrowingTaskGroup(of: Bool.self) { group in
                for (index, client) in clients.enumerated() {
                    group.addTask {
                        let login = try await client.request(SIP2LoginRequest(user: "vendor", password: "vendor-secret").message)
                        guard try SIP2LoginResponse(login).ok else { return false }
                        let identifier = index.isMultiple(of: 2) ? "A0001" : "A0002"
                        let status = try SIP2PatronStatusResponse(try await client.request(
                            SIP2PatronStatusRequest(patronIdentifier: identifier, patronPassword: index.isMultiple(of: 2) ? "ming-pass" : "digital-pass").message))
                        return status.validPatron == true && status.validPatronPassword == true
                    }
                }
                return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
            }
            #expect(valid == 500)
            #expect(server.connectionCount == 500)
            for client in clients { await client.close() }
        }
    }

    @Test func aSlowPasswordCheckHoldsUpOnlyItsOwnConnection() async throws {
        var backend = FakeBackend()
        backend.verifyDelay = .milliseconds(1500)
        try await withServer(backend: backend) { port, _ in
            let slowClient = try await loggedIn(port)
            let fastClient = try await loggedIn(port)
            let slow = Task {
                let response = try await slowClient.request(
                    SIP2PatronStatusRequest(patronIdentifier: "A0001", patronPassword: "ming-pass").message)
                return (try SIP2PatronStatusResponse(response).validPatronPassword, ContinuousClock.now)
            }
            try await Task.sleep(for: .milliseconds(100))  // the slow request is now in the backend
            let start = ContinuousClock.now
            for _ in 0..<5 {
                let response = try await fastClient.request(SIP2PatronStatusRequest(patronIdentifier: "A0002").message)
                #expect(try SIP2PatronStatusResponse(response).validPatron == true)
            }
            let fastDone = ContinuousClock.now
            #expect(fastDone - start < .milliseconds(1000), "fast requests answered while the slow one is pending")
            let (valid, slowDone) = try await slow.value
            #expect(valid == true)
            #expect(slowDone > fastDone)
            await slowClient.close()
            await fastClient.close()
        }
    }

    @Test func stopClosesOpenConnections() async throws {
        let server = SIP2Server(configuration: testConfiguration(), backend: FakeBackend())
        let port = try await server.start(host: "127.0.0.1", port: 0)
        let client = try await loggedIn(port)
        await server.stop()
        #expect(await closedByServer(client, within: .seconds(2)))
        #expect(server.connectionCount == 0)
        await server.stop()  // a second stop does nothing
        let again = try await server.start(host: "127.0.0.1", port: 0)
        #expect(again > 0)
        await server.stop()
    }
}
