import Foundation
import Testing
@testable import SIP2
import TestSubprocess

#if canImport(Glibc)
import Glibc
#endif

/// An in-memory backend with the accounts and card holders the tests talk about.
struct FakeBackend: SIP2Backend {
    struct Credentials: Sendable {
        var password: String
        var account: SIP2Account
    }

    var accounts: [String: Credentials] = [
        "vendor": Credentials(
            password: "vendor-secret",
            account: SIP2Account(id: "acct-vendor", user: "vendor", institution: "TPML", libraryName: "臺北市立圖書館")),
        "selfcheck": Credentials(
            password: "selfcheck-secret",
            account: SIP2Account(
                id: "acct-selfcheck", user: "selfcheck", institution: "TPML", libraryName: "Taipei Public Library",
                errorDetection: true, mayReadPersonalData: true, acceptsAlternateIdentifiers: true)),
        "legacy": Credentials(
            password: "legacy-secret",
            account: SIP2Account(
                id: "acct-legacy", user: "legacy", institution: "TPML", libraryName: "臺北市立圖書館", encoding: .cp950,
                mayReadPersonalData: true)),
    ]
    var patrons: [String: (patron: SIP2Patron, password: String)] = [
        "A0001": (SIP2Patron(identifier: "A0001", name: "王小明", email: "ming@example.tw", phone: "02-2755-2823"), "ming-pass"),
        "A0002": (SIP2Patron(identifier: "A0002", name: "林尚四", chargePrivilegesDenied: true), "digital-pass"),
        "A0003": (SIP2Patron(identifier: "A0003", name: "陳過期", expired: true), "old-pass"),
        "A0004": (SIP2Patron(identifier: "A0004", name: "張停權", suspended: true, screenMessages: ["請洽櫃臺"]), "stop-pass"),
    ]
    /// EasyCard/iPASS numbers bound to cards.
    var alternateIdentifiers: [String: String] = ["1234567890123456": "A0001"]
    var verifyDelay: Duration = .zero
    var failingLookups = false

    struct Unavailable: Error {}

    func login(user: String, password: String, location: String?, remoteAddress: String?) async throws -> SIP2Account? {
        guard let credentials = accounts[user], credentials.password == password else { return nil }
        return credentials.account
    }

    /// What the server told it about logins, in order: `taken:<user>` and `lockedOut:<user>`.
    let loginEvents = LockedState([String]())

    func loginTaken(_ account: SIP2Account, remoteAddress: String?) async throws {
        loginEvents.withLock { $0.append("taken:\(account.user)") }
    }

    func loginRefusedDuringLockout(user: String, remoteAddress: String?) async throws {
        loginEvents.withLock { $0.append("lockedOut:\(user)") }
    }

    func patron(identifier: String, account: SIP2Account) async throws -> SIP2Patron? {
        if failingLookups { throw Unavailable() }
        if let found = patrons[identifier] { return found.patron }
        if account.acceptsAlternateIdentifiers, let card = alternateIdentifiers[identifier] { return patrons[card]?.patron }
        return nil
    }

    func verifyPatronPassword(_ password: String, patron: SIP2Patron, account: SIP2Account) async throws -> Bool {
        if verifyDelay > .zero { try await Task.sleep(for: verifyDelay) }
        return patrons[patron.identifier]?.password == password
    }
}

/// Collects what the server logs.
final class LogCollector: Sendable {
    private let records = LockedState([SIP2LogRecord]())

    var all: [SIP2LogRecord] { records.withLock { $0 } }

    func record(_ record: SIP2LogRecord) { records.withLock { $0.append(record) } }

    func events(_ event: String) -> [SIP2LogRecord] { all.filter { $0.event == event } }
}

/// Fast throttling so failed-login tests do not wait.
/// The zone the tests' expected date/times are written in; the SIP2 target has none of its own.
let taipei = TimeZone(identifier: "Asia/Taipei")!

func testConfiguration() -> SIP2Server.Configuration {
    var configuration = SIP2Server.Configuration(timeZone: taipei)
    configuration.loginThrottle = .init(initialDelay: .milliseconds(1), maximumDelay: .milliseconds(5))
    configuration.clock = { Date(timeIntervalSince1970: 1_773_556_205) }  // 2026-03-15 14:30:05 Taipei
    return configuration
}

/// Starts a server on a free loopback port, runs `body`, stops the server.
func withServer<Result>(
    configuration: SIP2Server.Configuration = testConfiguration(), backend: any SIP2Backend = FakeBackend(),
    log: LogCollector = LogCollector(), _ body: (_ port: Int, _ server: SIP2Server) async throws -> Result
) async throws -> Result {
    let server = SIP2Server(configuration: configuration, backend: backend, log: log.record)
    let port = try await server.start(host: "127.0.0.1", port: 0)
    do {
        let result = try await body(port, server)
        await server.stop()
        return result
    } catch {
        await server.stop()
        throw error
    }
}

/// Connects to the test server on 127.0.0.1, from 127.0.0.1 unless `from` names another loopback address
/// (a second client, as the server sees it).
func connect(
    _ port: Int, encoding: SIP2TextEncoding = .utf8, errorDetection: Bool = false, from localAddress: String? = nil
) async throws -> SIP2Client {
    try await SIP2Client.connect(
        host: "127.0.0.1", port: port, encoding: encoding, errorDetection: errorDetection, localAddress: localAddress)
}

/// Logs in and expects success.
func loggedIn(
    _ port: Int, user: String = "vendor", password: String? = nil, encoding: SIP2TextEncoding = .utf8,
    errorDetection: Bool = false, from localAddress: String? = nil
) async throws -> SIP2Client {
    let client = try await connect(port, encoding: encoding, errorDetection: errorDetection, from: localAddress)
    let response = try await client.request(SIP2LoginRequest(user: user, password: password ?? "\(user)-secret").message)
    try #require(SIP2LoginResponse(response).ok, "login of \(user) failed")
    return client
}

/// Waits until the server has admitted `count` connections: a client's connect returns once the kernel has
/// the connection, before the server's event loop has counted it, so tests that depend on which connection
/// comes "next" wait for the count first.
func waitForConnections(_ server: SIP2Server, count: Int, within timeout: Duration = .seconds(5)) async throws {
    let deadline = ContinuousClock.now + timeout
    while server.connectionCount < count, ContinuousClock.now < deadline {
        try await Task.sleep(for: .milliseconds(10))
    }
    try #require(server.connectionCount == count, "the server admitted \(server.connectionCount) of \(count) connections")
}

/// Waits for the server to close the connection; true when it did within `timeout`.
func closedByServer(_ client: SIP2Client, within timeout: Duration = .seconds(5)) async -> Bool {
    await withTaskGroup(of: Bool.self) { group in
        group.addTask {
            while true {
                do {
                    guard try await client.receive() != nil else { return true }
                } catch {
                    return true
                }
            }
        }
        group.addTask {
            try? await Task.sleep(for: timeout)
            return false
        }
        let first = await group.next()!
        group.cancelAll()
        await client.close()
        return first
    }
}

/// Bytes of `text` with a correct checksum trailer (`AY<sequence>AZxxxx`) and CR.
func withTrailer(_ text: String, sequence: Int = 0, digits: Int? = nil) -> [UInt8] {
    var bytes = Array(text.utf8) + Array("AY\(sequence)AZ".utf8)
    var checksum = SIP2Checksum.text(of: bytes)
    if let digits { checksum = String(UInt16(checksum, radix: 16)!, radix: 16, uppercase: true).leftPadded(to: digits) }
    bytes += Array(checksum.utf8) + [0x0D]
    return bytes
}

extension String {
    func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}

/// Lets one process hold many sockets (the 500-connection test needs about 1,000).
func raiseOpenFileLimit(to wanted: rlim_t = 4096) {
    #if canImport(Glibc)
    var limit = rlimit()
    guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0, limit.rlim_cur < wanted else { return }
    limit.rlim_cur = min(wanted, limit.rlim_max)
    _ = setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
    #endif
}

/// Runs one of the repository's Python helpers under tests/sip2 and returns its JSON output.
func runPythonHelper(_ script: String, _ arguments: [String]) async throws -> [String: Any] {
    let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    let outcome = try await Subprocess.run(["python3", repositoryRoot.appendingPathComponent("tests/sip2/\(script)").path] + arguments,
                                           currentDirectory: repositoryRoot)
    let stdout = outcome.stdout
    let errorText = outcome.stderrText
    if outcome.status == 3 {
        Issue.record("Python SIP2 clients missing — run `pip install sip2 pysip2` (scripts/install-test-tools). \(errorText)")
    }
    try #require(outcome.status == 0, "\(script) exited \(outcome.status): \(errorText)")
    let json = try JSONSerialization.jsonObject(with: stdout)
    return try #require(json as? [String: Any], "\(script) printed no JSON object: \(String(decoding: stdout, as: UTF8.self))")
}

/// What `exchangeOnOwnThread` saw: each CR-ended frame with when it arrived, and when the server closed.
struct TimedExchange: Sendable {
    /// Before connecting: the server's idle timer cannot have started earlier.
    var startedAt: ContinuousClock.Instant
    var sentAt: ContinuousClock.Instant
    var frames: [(bytes: [UInt8], at: ContinuousClock.Instant)] = []
    var closedAt: ContinuousClock.Instant?
    /// How many times the filler was sent.
    var fillersSent = 0
    /// Why the exchange ended without the server closing or the timeout (a failed connect, write or poll).
    var failure: String?
}

/// Connects, sends `bytes` at once and reads until the server closes (or `timeout`), on a plain blocking
/// socket in a thread of its own. For timing tests: the test's own task may wait seconds for the
/// cooperative pool while other suites run, and a connection the client leaves quiet that long is rightly
/// closed as idle; this thread is not held up by them. With `filler`, sends it again every `interval`
/// after `bytes` until the server closes.
func exchangeOnOwnThread(
    port: Int, send bytes: [UInt8], thenEvery interval: Duration = .seconds(1), send filler: [UInt8] = [], timeout: Duration
) async -> TimedExchange {
    await withCheckedContinuation { continuation in
        Thread.detachNewThread {
            let startedAt = ContinuousClock.now
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = in_port_t(UInt16(port).bigEndian)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            // A signal may interrupt a blocking call on this thread: EINTR is tried again, never taken for an answer.
            var connected: Int32
            repeat {
                connected = withUnsafePointer(to: &address) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
                }
            } while connected == -1 && errno == EINTR
            var exchange = TimedExchange(startedAt: startedAt, sentAt: .now)
            let written = connected == 0 ? Glibc.write(fd, bytes, bytes.count) : -1
            guard connected == 0, written == bytes.count else {
                exchange.failure = "connect \(connected), write \(written), errno \(errno)"
                close(fd)
                continuation.resume(returning: exchange)
                return
            }
            let deadline = ContinuousClock.now + timeout
            var pending: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 4096)
            var nextFiller = ContinuousClock.now + interval
            while ContinuousClock.now < deadline {
                if !filler.isEmpty, ContinuousClock.now >= nextFiller {
                    nextFiller = ContinuousClock.now + interval
                    exchange.fillersSent += 1
                    // A refused write means the server has closed; the read below sees it.
                    _ = Glibc.send(fd, filler, filler.count, Int32(MSG_NOSIGNAL))
                }
                var poll = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
                let ready = Glibc.poll(&poll, 1, filler.isEmpty ? 100 : 20)
                if ready < 0, errno == EINTR { continue }
                guard ready >= 0 else { exchange.failure = "poll errno \(errno)"; break }
                if poll.revents == 0 { continue }
                let count = Glibc.read(fd, &buffer, buffer.count)
                if count < 0, errno == EINTR { continue }
                if count <= 0 {
                    exchange.closedAt = .now
                    break
                }
                pending += buffer[0..<count]
                while let end = pending.firstIndex(of: 0x0D) {
                    exchange.frames.append((Array(pending[..<end]), .now))
                    pending.removeSubrange(...end)
                    if pending.first == 0x0A { pending.removeFirst() }
                }
            }
            close(fd)
            continuation.resume(returning: exchange)
        }
    }
}
