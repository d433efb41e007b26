import Foundation
import NIOCore
import SIP2
import Vapor

/// Everything OneCard takes from its environment, read once by `configure` and nowhere else.
public struct OneCardSettings: Sendable {
    public enum DatabaseChoice: Sendable, Equatable {
        case sqliteFile(String)
        case sqliteMemory
        case postgres(String)
    }

    /// Where sealed files (identity documents, group files) are kept: `uploads/` in the data directory, or
    /// the database's `sealed_files` table so that several instances share them (`ONECARD_FILE_STORAGE`).
    public enum FileStorage: String, Sendable, Equatable {
        case disk
        case database
    }

    public var dataDirectory: String
    public var database: DatabaseChoice
    /// The mail relay (`SMTP_URL` and its companions); nil writes messages to the mail drop.
    public var smtp: SMTPRelaySettings?
    /// The database with PostgreSQL (instances share it, and one backup holds everything), the disk with
    /// the embedded SQLite file; `ONECARD_FILE_STORAGE` overrides either.
    public var fileStorage: FileStorage
    public var sip2Port: Int?
    /// The address the SIP2 listener binds; nil binds the address the HTTP server bound (`serve --hostname`).
    public var sip2Host: String?
    /// SIP2 connections one client address may hold at once (`SIP2Server.Configuration`).
    public var sip2MaximumConnectionsPerAddress: Int = SIP2Server.Configuration(timeZone: .taipei).maximumConnectionsPerAddress
    public var baseURL: URL
    public var masterKey: String?
    public var captchaTestAnswer: String?
    /// The embedded database creates and migrates itself; PostgreSQL deployments run `onecard migrate`.
    public var migratesOnBoot: Bool
    public var runsBackgroundWorkers: Bool
    /// False for commands that work on a file alone (`roster check`, "offline, without a database"): no data
    /// directory, key file or database is touched.
    public var usesStorage: Bool = true
    public var outboxPollInterval: TimeAmount
    /// bcrypt's cost for new hashes (`ONECARD_PASSWORD_HASH_COST`, 10–16). 10 is OWASP's minimum for bcrypt
    /// and verifies about 19 passwords a second per core here (issue #13 item 3 asks ≥ 15; cost 12 gave 4.4).
    /// A hash made at another cost is replaced at its owner's next successful sign-in.
    public var bcryptCost: Int
    /// Threads that run bcrypt, apart from the application's thread pool (`PasswordHashingPool`).
    public var passwordHashThreads: Int = System.coreCount
    /// Password checks that may wait for those threads; more are refused at once with 503 and `Retry-After`
    /// (`ONECARD_PASSWORD_HASH_QUEUE`).
    public var passwordHashQueueLimit: Int = 32
    public var mailFrom: String
    /// How long a staff member's password-setting link stays valid.
    public var staffPasswordLinkLifetime: TimeInterval
    /// Online applications not completed at a desk within this many days expire and are erased.
    public var pendingApplicationLifetimeDays: Int
    /// First step of the growing delay after failed sign-ins (doubles per failure, capped at 16×).
    public var signInDelayUnit: TimeInterval = 0.25
    /// Uploaded identity documents are erased this many days after the decision on their application.
    public var uploadRetentionDays: Int = 30
    /// Citizen digital certificates (自然人憑證): trust anchors, extra CA certificates and CRLs, as PEM or DER
    /// files. Without anchors the certificate path is not offered.
    public var citizenCertificateAnchors: [String] = []
    public var citizenCertificateIntermediates: [String] = []
    public var citizenCertificateCRLs: [String] = []
    /// 台北通 (the city's OpenID Connect provider); nil leaves 與台北通結合 unavailable.
    public var taipeiPass: TaipeiPassSettings?
    /// Reverse proxies (their IP addresses, as the server sees them) whose `X-Forwarded-For` is believed:
    /// behind one, every request comes from its address, and the per-address limits would hold all clients
    /// to one count. Empty (the default) believes no header: a client could write any address there.
    public var trustedProxies: [String] = []

    public var usesSecureCookies: Bool { baseURL.scheme == "https" }

    public init(
        dataDirectory: String,
        database: DatabaseChoice,
        smtp: SMTPRelaySettings? = nil,
        sip2Port: Int? = nil,
        baseURL: URL = URL(string: "http://127.0.0.1:8080")!,
        masterKey: String? = nil,
        captchaTestAnswer: String? = nil,
        migratesOnBoot: Bool,
        runsBackgroundWorkers: Bool,
        outboxPollInterval: TimeAmount = .seconds(2),
        bcryptCost: Int = 10,
        mailFrom: String = "OneCard <no-reply@onecard.localhost>",
        staffPasswordLinkLifetime: TimeInterval = 72 * 3600,
        pendingApplicationLifetimeDays: Int = 30
    ) {
        self.dataDirectory = dataDirectory
        self.database = database
        self.smtp = smtp
        fileStorage = if case .postgres = database { .database } else { .disk }
        self.sip2Port = sip2Port
        self.baseURL = baseURL
        self.masterKey = masterKey
        self.captchaTestAnswer = captchaTestAnswer
        self.migratesOnBoot = migratesOnBoot
        self.runsBackgroundWorkers = runsBackgroundWorkers
        self.outboxPollInterval = outboxPollInterval
        self.bcryptCost = bcryptCost
        self.mailFrom = mailFrom
        self.staffPasswordLinkLifetime = staffPasswordLinkLifetime
        self.pendingApplicationLifetimeDays = pendingApplicationLifetimeDays
    }

    /// Reads the variables of INTERFACES.md (a `.env` file is loaded by Vapor before this runs).
    public static func fromEnvironment(_ environment: Environment) throws -> OneCardSettings {
        func value(_ name: String) -> String? {
            guard let raw = Environment.get(name)?.trimmingCharacters(in: .whitespaces), !raw.isEmpty else {
                return nil
            }
            return raw
        }
        let dataDirectory = value("ONECARD_DATA_DIR") ?? "./data"
        let database: DatabaseChoice
        if let url = value("DATABASE_URL") {
            database = .postgres(url)
        } else {
            database = .sqliteFile((dataDirectory as NSString).appendingPathComponent("onecard.sqlite"))
        }
        let smtp = try SMTPRelaySettings.fromEnvironment(value)
        var sip2Port: Int?
        if let raw = value("ONECARD_SIP2_PORT") {
            guard let port = Int(raw), (1...65535).contains(port) else {
                throw ConfigurationError(variable: "ONECARD_SIP2_PORT", problem: "expected a TCP port number")
            }
            sip2Port = port
        }
        let baseURLText = value("ONECARD_BASE_URL") ?? "http://127.0.0.1:8080"
        guard let baseURL = URL(string: baseURLText), baseURL.scheme == "http" || baseURL.scheme == "https" else {
            throw ConfigurationError(variable: "ONECARD_BASE_URL", problem: "expected an http(s) URL")
        }
        let captcha = value("ONECARD_CAPTCHA_TEST_ANSWER")
        if captcha != nil, environment == .production {
            throw ConfigurationError(
                variable: "ONECARD_CAPTCHA_TEST_ANSWER",
                problem: "is a testing aid and is refused in the production environment"
            )
        }
        let taipeiPass = try TaipeiPassSettings.fromEnvironment(
            issuer: value("ONECARD_TAIPEI_PASS_ISSUER"), clientID: value("ONECARD_TAIPEI_PASS_CLIENT_ID"),
            clientSecret: value("ONECARD_TAIPEI_PASS_CLIENT_SECRET"), production: environment == .production)
        let command = environment.arguments.dropFirst().first
        // Issue #13 item 5: asking for help (`onecard --help`, `onecard staff --help`) must not create ./data
        // with keys and a database, nor migrate one; neither must `roster check`, which works on a file alone.
        let arguments = environment.arguments.dropFirst()
        let asksForHelp = arguments.contains("--help") || arguments.contains("-h") || command == "help"
        let usesStorage = command != "roster" && !asksForHelp
        let isEmbedded = if case .sqliteFile = database { true } else { false }
        var settings = OneCardSettings(
            dataDirectory: dataDirectory,
            database: database,
            smtp: smtp,
            sip2Port: sip2Port,
            baseURL: baseURL,
            masterKey: value("ONECARD_MASTER_KEY"),
            captchaTestAnswer: captcha,
            migratesOnBoot: isEmbedded && usesStorage,
            runsBackgroundWorkers: (command == nil || command == "serve") && !asksForHelp,
            mailFrom: value("ONECARD_MAIL_FROM") ?? "OneCard <no-reply@onecard.localhost>"
        )
        settings.usesStorage = usesStorage
        if let raw = value("ONECARD_PASSWORD_HASH_COST") {
            // Below 10 is under OWASP's minimum for bcrypt; above 16 one check takes seconds.
            guard let cost = Int(raw), (10...16).contains(cost) else {
                throw ConfigurationError(variable: "ONECARD_PASSWORD_HASH_COST", problem: "expected a bcrypt cost from 10 to 16")
            }
            settings.bcryptCost = cost
        }
        if let raw = value("ONECARD_PASSWORD_HASH_QUEUE") {
            guard let limit = Int(raw), limit >= 0 else {
                throw ConfigurationError(variable: "ONECARD_PASSWORD_HASH_QUEUE", problem: "expected a whole number, 0 or more")
            }
            settings.passwordHashQueueLimit = limit
        }
        settings.sip2Host = value("ONECARD_SIP2_HOST")
        if let raw = value("ONECARD_TRUSTED_PROXIES") {
            let addresses = raw.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            guard addresses.allSatisfy({ (try? SocketAddress(ipAddress: $0, port: 0)) != nil }) else {
                throw ConfigurationError(variable: "ONECARD_TRUSTED_PROXIES", problem: "expected IP addresses separated by commas")
            }
            settings.trustedProxies = addresses
        }
        if let raw = value("ONECARD_SIP2_MAX_CONNECTIONS_PER_ADDRESS") {
            guard let limit = Int(raw), limit >= 1 else {
                throw ConfigurationError(variable: "ONECARD_SIP2_MAX_CONNECTIONS_PER_ADDRESS", problem: "expected a whole number, at least 1")
            }
            settings.sip2MaximumConnectionsPerAddress = limit
        }
        if let raw = value("ONECARD_FILE_STORAGE") {
            guard let storage = FileStorage(rawValue: raw.lowercased()) else {
                throw ConfigurationError(variable: "ONECARD_FILE_STORAGE", problem: "expected database or disk")
            }
            settings.fileStorage = storage
        }
        if let raw = value("ONECARD_PENDING_APPLICATION_DAYS") {
            // Zero would erase an application the moment it is made; a typo must not silently become 30.
            guard let days = Int(raw), days >= 1 else {
                throw ConfigurationError(variable: "ONECARD_PENDING_APPLICATION_DAYS", problem: "expected a whole number of days, at least 1")
            }
            settings.pendingApplicationLifetimeDays = days
        }
        if let raw = value("ONECARD_UPLOAD_RETENTION_DAYS") {
            guard let days = Int(raw), days >= 0 else {
                throw ConfigurationError(variable: "ONECARD_UPLOAD_RETENTION_DAYS", problem: "expected a number of days")
            }
            settings.uploadRetentionDays = days
        }
        func paths(_ name: String) -> [String] {
            (value(name) ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        }
        settings.citizenCertificateAnchors = paths("ONECARD_CITIZEN_CERT_ANCHORS")
        settings.citizenCertificateIntermediates = paths("ONECARD_CITIZEN_CERT_INTERMEDIATES")
        settings.citizenCertificateCRLs = paths("ONECARD_CITIZEN_CERT_CRLS")
        settings.taipeiPass = taipeiPass
        return settings
    }
}
