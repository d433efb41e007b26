// The SIP2 benchmark, built and run by scripts/benchmark-sip2 (release mode, outside the app's
// package so that it needs no Vapor). Measures patron-status (23/24) transactions per second and
// latency percentiles over N connections against SIP2Server with an in-memory backend; server and
// clients share this process and the machine's cores, so the figures are a floor for the server.

import Foundation
import NIOCore
import NIOPosix
import SIP2

struct Options {
    var connections = 50
    /// Connections logging in at once before the measurement.
    var loginConcurrency = 4
    var seconds = 10.0
    var warmupSeconds = 2.0
    var scenarios = ["no-password", "password", "password-hashed"]
    /// One bcrypt verification at cost 12 (the app's default) took 331 ms at best, 364 ms median, on the
    /// 2-core development machine while shared (python `bcrypt` 5.0.0, 2026-11): 300 ms is that cost.
    var hashCostMilliseconds = 300
    var servePort: Int?
    /// An already running server (the app's, by scripts/benchmark-sip2-app) instead of one in this process.
    var target: (host: String, port: Int)?
    var login = (user: "bench", password: "bench-secret")
    /// Card holders to ask about, as `identifier:password`; by default the in-memory backend's 10,000.
    var patrons: [(identifier: String, password: String)] = (0..<10_000).map {
        let identifier = String(format: "T%07d", $0)
        return (identifier, "pw-" + identifier)
    }
    var institution = "TPML"

    init(_ arguments: [String]) {
        var iterator = arguments.makeIterator()
        while let argument = iterator.next() {
            func value() -> String {
                guard let value = iterator.next() else { fatalError("\(argument) needs a value") }
                return value
            }
            switch argument {
            case "--connections": connections = Int(value())!
            case "--login-concurrency": loginConcurrency = max(1, Int(value())!)
            case "--seconds": seconds = Double(value())!
            case "--warmup": warmupSeconds = Double(value())!
            case "--scenarios": scenarios = value().split(separator: ",").map(String.init)
            case "--hash-cost-ms": hashCostMilliseconds = Int(value())!
            case "--serve": servePort = Int(value())!
            case "--target":
                let parts = value().split(separator: ":")
                target = (String(parts[0]), Int(parts[1])!)
            case "--login":
                let parts = value().split(separator: ":", maxSplits: 1)
                login = (String(parts[0]), String(parts[1]))
            case "--institution": institution = value()
            case "--patrons":
                patrons = value().split(separator: ",").map {
                    let parts = $0.split(separator: ":", maxSplits: 1)
                    return (String(parts[0]), String(parts[1]))
                }
            case "--help", "-h":
                print("""
                    usage: scripts/benchmark-sip2 [--connections N] [--login-concurrency N] [--seconds S] [--warmup S]
                                                  [--scenarios no-password,password,password-hashed]
                                                  [--hash-cost-ms MS] [--serve PORT]
                                                  [--target HOST:PORT --login USER:PASSWORD
                                                   --patrons CARD:PASSWORD,... [--institution ID]]
                    scenarios: no-password      23 without AD: patron lookup only
                               password         23 with AD, password compared in memory
                               password-hashed  23 with AD, each check burns MS ms of CPU on NIOThreadPool,
                                                as a bcrypt cost-12 verification would (default 300 ms;
                                                give it --seconds 60 --warmup 10 for enough samples)
                    --serve PORT runs the server with the benchmark's backend until interrupted.
                    --target measures a server that is already running (scripts/benchmark-sip2-app starts
                    the app's): the password scenarios then check each card holder's real password.
                    """)
                exit(0)
            default: fatalError("unknown argument \(argument); try --help")
            }
        }
    }
}

/// In-memory accounts and card holders; optionally a CPU-bound password check off the event loops.
struct BenchmarkBackend: SIP2Backend {
    let hashCost: Duration?
    static let account = SIP2Account(id: "bench", user: "bench", institution: "TPML", libraryName: "Benchmark Library")
    static let patrons: [String: SIP2Patron] = Dictionary(uniqueKeysWithValues: (0..<10_000).map { index in
        let identifier = String(format: "T%07d", index)
        return (identifier, SIP2Patron(identifier: identifier, name: "讀者 \(index)", email: "reader\(index)@example.tw"))
    })

    func login(user: String, password: String, location: String?, remoteAddress: String?) async throws -> SIP2Account? {
        user == "bench" && password == "bench-secret" ? Self.account : nil
    }

    func loginTaken(_ account: SIP2Account, remoteAddress: String?) async throws {}

    func loginRefusedDuringLockout(user: String, remoteAddress: String?) async throws {}

    func patron(identifier: String, account: SIP2Account) async throws -> SIP2Patron? {
        Self.patrons[identifier]
    }

    func verifyPatronPassword(_ password: String, patron: SIP2Patron, account: SIP2Account) async throws -> Bool {
        guard let hashCost else { return password == "pw-" + patron.identifier }
        // What a real backend does with bcrypt: hash on a thread pool, never on an event loop.
        return try await NIOThreadPool.singleton.runIfActive {
            let deadline = ContinuousClock.now + hashCost
            var state: UInt64 = 1
            while ContinuousClock.now < deadline { for _ in 0..<1000 { state = state &* 6364136223846793005 &+ 1 } }
            return password == "pw-" + patron.identifier && state != 0
        }
    }
}

struct Result {
    var scenario: String
    var transactions: Int
    var errors: Int
    var elapsed: Double
    var latencies: [Double]  // seconds, sorted

    func percentile(_ p: Double) -> Double {
        guard !latencies.isEmpty else { return .nan }
        return latencies[min(latencies.count - 1, Int((Double(latencies.count) * p).rounded(.up)) - 1)]
    }
}

func run(scenario: String, options: Options) async throws -> Result {
    let hashCost: Duration? = scenario == "password-hashed" ? .milliseconds(options.hashCostMilliseconds) : nil
    let server: SIP2Server?
    let host: String, port: Int
    if let target = options.target {
        server = nil
        (host, port) = target
    } else {
        var configuration = SIP2Server.Configuration(timeZone: TimeZone(identifier: "Asia/Taipei")!)
        configuration.maximumConnections = max(1000, options.connections + 10)
        let started = SIP2Server(configuration: configuration, backend: BenchmarkBackend(hashCost: hashCost))
        (host, port) = ("127.0.0.1", try await started.start(host: "127.0.0.1", port: 0))
        server = started
    }
    let login = options.login, patrons = options.patrons, institution = options.institution

    let withPassword = scenario != "no-password"
    // Logged in a few at a time, as machines come up: 50 logins at once would queue 50 bcrypt checks of
    // the account's password in the app (cost 12, about 0.3 s each on 2 cores) before the first lookup.
    var clients: [SIP2Client] = []
    while clients.count < options.connections {
        let batch = min(options.loginConcurrency, options.connections - clients.count)
        clients += try await withThrowingTaskGroup(of: SIP2Client.self) { group in
            for _ in 0..<batch {
                group.addTask {
                    let client = try await SIP2Client.connect(host: host, port: port)
                    let answer = try await client.request(SIP2LoginRequest(user: login.user, password: login.password).message)
                    let ok = try SIP2LoginResponse(answer).ok
                    precondition(ok, "benchmark login failed")
                    return client
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
    }

    let clock = ContinuousClock()
    let warmupEnd = clock.now + .milliseconds(Int(options.warmupSeconds * 1000))
    let end = warmupEnd + .milliseconds(Int(options.seconds * 1000))
    let perClient = try await withThrowingTaskGroup(of: ([Double], Int).self) { group in
        for (index, client) in clients.enumerated() {
            group.addTask {
                var latencies: [Double] = []
                latencies.reserveCapacity(200_000)
                var errors = 0
                var counter = index
                while true {
                    let patron = patrons[counter % patrons.count]
                    counter += options.connections
                    let request = SIP2PatronStatusRequest(
                        patronIdentifier: patron.identifier, patronPassword: withPassword ? patron.password : nil,
                        institution: institution, transactionDate: "20260315    143005")
                    let start = clock.now
                    let response = try SIP2PatronStatusResponse(try await client.request(request.message))
                    let finished = clock.now
                    if finished >= end { break }
                    guard finished >= warmupEnd, start >= warmupEnd else { continue }
                    if response.validPatron != true || (withPassword && response.validPatronPassword != true) { errors += 1 }
                    let seconds = Double((finished - start).components.attoseconds) / 1e18 + Double((finished - start).components.seconds)
                    latencies.append(seconds)
                }
                return (latencies, errors)
            }
        }
        return try await group.reduce(into: [([Double], Int)]()) { $0.append($1) }
    }
    for client in clients { await client.close() }
    await server?.stop()

    let latencies = perClient.flatMap(\.0).sorted()
    return Result(
        scenario: scenario, transactions: latencies.count, errors: perClient.map(\.1).reduce(0, +),
        elapsed: options.seconds, latencies: latencies)
}

let options = Options(Array(CommandLine.arguments.dropFirst()))

if let port = options.servePort {
    let server = SIP2Server(configuration: .init(timeZone: TimeZone(identifier: "Asia/Taipei")!), backend: BenchmarkBackend(hashCost: nil)) { print($0) }
    let bound = try await server.start(host: "127.0.0.1", port: port)
    print("serving on 127.0.0.1:\(bound): login bench / bench-secret, patrons T0000000…T0009999 with password pw-<id>")
    while true { try await Task.sleep(for: .seconds(3600)) }
}

print("SIP2 patron-status benchmark: \(options.connections) connections, \(options.seconds) s per scenario after \(options.warmupSeconds) s warm-up")
if let target = options.target {
    print("machine: \(ProcessInfo.processInfo.activeProcessorCount) cores; server at \(target.host):\(target.port), \(options.patrons.count) card holder(s), real password checks")
} else {
    print("machine: \(ProcessInfo.processInfo.activeProcessorCount) cores, server and clients in one process on loopback")
}
// Credentials are not printed, throwaway as they are.
let shownArguments = CommandLine.arguments.dropFirst().enumerated().map { index, argument in
    let previous = index > 0 ? CommandLine.arguments[index] : ""
    return ["--login", "--patrons"].contains(previous) ? "…" : argument
}
print("command: scripts/benchmark-sip2 " + shownArguments.joined(separator: " "))
print("")
func milliseconds(_ seconds: Double, width: Int) -> String {
    let text = String(format: "%.2f", seconds * 1000)
    return String(repeating: " ", count: max(0, width - text.count)) + text
}
print("scenario          transactions/s       p50 ms    p99 ms    max ms   errors")
for scenario in options.scenarios {
    let result = try await run(scenario: scenario, options: options)
    let name = scenario == "password-hashed" ? "password+\(options.hashCostMilliseconds)ms" : scenario
    print(
        name.padding(toLength: 18, withPad: " ", startingAt: 0)
            + String(format: "%14.0f", Double(result.transactions) / result.elapsed)
            + milliseconds(result.percentile(0.50), width: 13)
            + milliseconds(result.percentile(0.99), width: 10)
            + milliseconds(result.latencies.last ?? .nan, width: 10)
            + String(format: "%9d", result.errors))
}
