import Fluent
import OneCardDomain
import Foundation
import NIOConcurrencyHelpers
import SQLKit
import XCTVapor
@testable import App

/// A movable clock: tests move time instead of sleeping.
final class TestClock: Sendable {
    private let current: NIOLockedValueBox<Date>

    init(_ start: Date = Date(timeIntervalSince1970: 1_795_000_000)) {
        current = NIOLockedValueBox(start)
    }

    var now: Date { current.withLockedValue { $0 } }
    func advance(by seconds: TimeInterval) { current.withLockedValue { $0 = $0.addingTimeInterval(seconds) } }
    var oneCardClock: OneCardClock { OneCardClock { [self] in now } }
}

enum TestDatabase {
    /// Set by `scripts/test` for the PostgreSQL run; the database suites then run there too.
    static let postgresURL = ProcessInfo.processInfo.environment["ONECARD_TEST_DATABASE_URL"].flatMap { $0.isEmpty ? nil : $0 }
}

/// Builds a fresh app for one test: temporary data directory, in-memory SQLite (or a wiped
/// PostgreSQL schema), migrations applied, no background workers.
func makeTestApp(
    clock: TestClock = TestClock(),
    adjust: (inout OneCardSettings) -> Void = { _ in }
) async throws -> Application {
    let app = try await Application.make(.testing)
    let dataDirectory = NSTemporaryDirectory() + "onecard-test-\(UUID().uuidString)"
    var settings = OneCardSettings(
        dataDirectory: dataDirectory,
        database: TestDatabase.postgresURL.map { .postgres($0) } ?? .sqliteMemory,
        migratesOnBoot: false,
        runsBackgroundWorkers: false,
        bcryptCost: 10
    )
    // Tests that send dozens of sign-ins at once are about the throttle, not the hashing queue's capacity
    // (`PasswordHashingTests` sets a small limit of its own).
    settings.passwordHashQueueLimit = 1_000
    adjust(&settings)
    app.clock = clock.oneCardClock
    do {
        try await configure(app, settings: settings)
        if case .postgres = settings.database, let sql = app.db as? any SQLDatabase {
            try await sql.raw("DROP SCHEMA IF EXISTS public CASCADE").run()
            try await sql.raw("CREATE SCHEMA public").run()
        }
        try await app.autoMigrate()
    } catch {
        try? await app.asyncShutdown()
        throw error
    }
    return app
}

/// A browser in miniature: keeps the cookies between requests and reads CSRF tokens from forms.
final class TestBrowser {
    let app: Application
    private(set) var cookies: [String: String] = [:]
    var acceptLanguage: String?

    init(_ app: Application) {
        self.app = app
    }

    @discardableResult
    func get(_ path: String, headers: HTTPHeaders = [:]) async throws -> XCTHTTPResponse {
        try await send(.GET, path, headers: headers, body: nil)
    }

    /// Posts a urlencoded form as a browser would, with the session's CSRF token unless told otherwise.
    @discardableResult
    func post(_ path: String, form: [String: String], csrf: String? = nil, includeCSRF: Bool = true) async throws -> XCTHTTPResponse {
        var fields = form
        if includeCSRF, fields["_csrf"] == nil {
            fields["_csrf"] = csrf ?? lastCSRFToken
        }
        var components = URLComponents()
        components.queryItems = fields.sorted { $0.key < $1.key }.map { URLQueryItem(name: $0.key, value: $0.value) }
        let encoded = (components.percentEncodedQuery ?? "").replacingOccurrences(of: "+", with: "%2B")
        var headers = HTTPHeaders()
        headers.contentType = .urlEncodedForm
        return try await send(.POST, path, headers: headers, body: ByteBuffer(string: encoded))
    }

    private(set) var lastCSRFToken: String?

    /// Posts multipart/form-data as a browser does for a form with file inputs: text fields, then
    /// files with their names and types (an unchosen file input is sent empty, as browsers do).
    @discardableResult
    func postMultipart(_ path: String, fields: [String: String], files: [String: (filename: String, type: String, data: [UInt8])] = [:]) async throws -> XCTHTTPResponse {
        let boundary = "----OneCardTest\(UUID().uuidString)"
        var body = ByteBuffer()
        var all = fields
        if all["_csrf"] == nil, let token = lastCSRFToken { all["_csrf"] = token }
        for (name, value) in all.sorted(by: { $0.key < $1.key }) {
            body.writeString("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n")
        }
        for (name, file) in files.sorted(by: { $0.key < $1.key }) {
            body.writeString("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"; filename=\"\(file.filename)\"\r\n")
            body.writeString("Content-Type: \(file.type)\r\n\r\n")
            body.writeBytes(file.data)
            body.writeString("\r\n")
        }
        body.writeString("--\(boundary)--\r\n")
        var headers = HTTPHeaders()
        headers.replaceOrAdd(name: .contentType, value: "multipart/form-data; boundary=\(boundary)")
        return try await send(.POST, path, headers: headers, body: body)
    }

    private func send(_ method: HTTPMethod, _ path: String, headers: HTTPHeaders, body: ByteBuffer?) async throws -> XCTHTTPResponse {
        var headers = headers
        if !cookies.isEmpty {
            headers.replaceOrAdd(name: .cookie, value: cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; "))
        }
        if let acceptLanguage { headers.replaceOrAdd(name: .acceptLanguage, value: acceptLanguage) }
        let response = try await app.testable().sendRequest(method, path, headers: headers, body: body)
        for header in response.headers[.setCookie] {
            let pair = header.split(separator: ";")[0].split(separator: "=", maxSplits: 1)
            guard pair.count == 2 else { continue }
            let name = String(pair[0]).trimmingCharacters(in: .whitespaces)
            if header.lowercased().contains("max-age=0") || header.lowercased().contains("expires=thu, 01 jan 1970") {
                cookies[name] = nil
            } else {
                cookies[name] = String(pair[1])
            }
        }
        if let token = Self.csrfToken(in: response.body.string) { lastCSRFToken = token }
        return response
    }

    static func csrfToken(in html: String) -> String? {
        guard let range = html.range(of: #"name="_csrf" value=""#) else { return nil }
        let rest = html[range.upperBound...]
        return rest.firstIndex(of: "\"").map { String(rest[..<$0]) }
    }
}

extension XCTHTTPResponse {
    var text: String { body.string }
}

/// Runs `body` with a fresh app and always shuts it down, also when the test fails.
func withTestApp(
    clock: TestClock = TestClock(),
    adjust: (inout OneCardSettings) -> Void = { _ in },
    _ body: (Application) async throws -> Void
) async throws {
    let app = try await makeTestApp(clock: clock, adjust: adjust)
    do {
        try await body(app)
    } catch {
        try await app.asyncShutdown()
        throw error
    }
    try await app.asyncShutdown()
}

/// The card application service as the app's web form builds it, at the clock's time.
func cardApplicationService(_ app: Application) -> CardApplicationService {
    let now = app.clock.now()
    return CardApplicationService(
        database: app.db, vault: app.vault, outbox: Outbox(localizer: app.localizer, settings: app.settings, vault: app.vault, now: now),
        passwordPolicy: app.passwordPolicy, passwordHasher: app.passwordHashing,
        pendingApplicationLifetimeDays: app.settings.pendingApplicationLifetimeDays, now: now)
}

/// Application expiry as the hourly housekeeping runs it.
func applicationExpiry(_ app: Application, now: Date) -> ApplicationExpiry {
    ApplicationExpiry(pendingApplicationLifetimeDays: app.settings.pendingApplicationLifetimeDays,
                      mailDropDirectory: app.settings.mailDropDirectory, logger: app.logger, now: now)
}

/// A pending application for 王小明, made through the real service as the web form would.
func submitApplication(_ app: Application, idNumber: String = "A123456789", links: [String] = []) async throws -> Patron {
    var input = CardApplicationInput()
    input.cardType = "personal"; input.documentKind = "nationalID"; input.idNumber = idNumber; input.name = "王小明"
    input.gender = "male"; input.birthDate = "1990-05-03"; input.password = "river lantern mango"
    input.passwordConfirmation = input.password; input.email = "wang@example.org"
    input.partnerLinks = Set(links); input.partnerConsents = Set(links)
    let documents = try await [ConsentDocument.current("TPML_PRIVACY", at: app.clock.now(), on: app.db), ConsentDocument.current("TAIPEI_CITY_ID", at: app.clock.now(), on: app.db)]
    return try await cardApplicationService(app).submit(
        input, libraryCode: "TPML", consentedDocuments: documents, channel: "web", locale: .zhTW,
        actor: .anonymous(ipAddress: nil), limits: .web(ipAddress: nil)).patron
}

/// Completes an application at the Taipei desk, as a clerk would, and returns the now active patron.
@discardableResult
func activateCard(_ app: Application, _ patron: Patron, easyCard: String = "") async throws -> Patron {
    let library = try await Library.require(code: "TPML", on: app.db)
    let staff = StaffMember(libraryID: try library.requireID(), email: "desk-\(UUID().uuidString)@tpml.example", role: .desk)
    try await staff.create(on: app.db)
    let now = app.clock.now()
    try await CardActivationService(vault: app.vault, outbox: Outbox(localizer: app.localizer, settings: app.settings, vault: app.vault, now: now), now: now)
        .activate(
        patron, documentChecked: true, easyCard: easyCard, by: staff, ipAddress: nil, on: app.db)
    return patron
}


/// The CLI's staff account service, on the app's database and clock.
func staffAccounts(_ app: Application) -> StaffAccounts {
    let now = app.clock.now()
    return StaffAccounts(database: app.db, outbox: Outbox(localizer: app.localizer, settings: app.settings, vault: app.vault, now: now),
                         localizer: app.localizer, baseURL: app.settings.baseURL,
                         linkLifetime: app.settings.staffPasswordLinkLifetime, now: now)
}

/// A staff member created with the CLI's service, who set a password through the emailed link and signed in.
func signedInStaff(_ app: Application, role: String = "desk", library: String = "TPML", email: String = "desk@tpml.example",
                   file: StaticString = #filePath, line: UInt = #line) async throws -> TestBrowser {
    let link = try await staffAccounts(app).create(libraryCode: library, role: role, email: email, locale: .zhTW)
    let token = URLComponents(url: link, resolvingAgainstBaseURL: false)!.queryItems!.first!.value!
    let browser = TestBrowser(app)
    try await browser.get("/staff/password?token=\(token)")
    try await browser.post("/staff/password", form: ["token": token, "password": "correct horse battery staple", "passwordConfirmation": "correct horse battery staple"])
    try await browser.get("/staff/login")
    let response = try await browser.post("/staff/login", form: ["email": email, "password": "correct horse battery staple"])
    XCTAssertEqual(response.status, .seeOther, file: file, line: line)
    if response.headers.first(name: .location) == "/staff/login/enrol" {
        try await enrolSecondFactor(app, browser, file: file, line: line)
    }
    return browser
}

/// Completes a reviewer's or administrator's first sign-in as an authenticator app would: reads the setup key
/// from the enrolment page, types the code it makes now, and returns the recovery codes shown.
@discardableResult
func enrolSecondFactor(_ app: Application, _ browser: TestBrowser, file: StaticString = #filePath, line: UInt = #line) async throws -> [String] {
    let page = try await browser.get("/staff/login/enrol")
    let secret = try XCTUnwrap(page.body.string.firstMatch(of: /data-secret="([A-Z2-7]+)"/)?.1, file: file, line: line)
    let code = TimeBasedCode(secret: TimeBasedCode.bytes(base32: String(secret))!).code(counter: TimeBasedCode.counter(at: app.clock.now()))
    let done = try await browser.post("/staff/login/enrol", form: ["code": code])
    XCTAssertEqual(done.status, .ok, file: file, line: line)
    return done.body.string.matches(of: /<li><code>([A-Z2-7]{5}-[A-Z2-7]{5})<\/code><\/li>/).map { String($0.1) }
}

/// The code an authenticator app shows now for `email`'s enrolled second factor: of the app clock's step, or
/// of the next one when this step's code was used already (the window accepts one step ahead).
func secondFactorCode(_ app: Application, email: String) async throws -> String {
    let staff = try await XCTUnwrapAsync(await StaffMember.query(on: app.db).filter(\.$email == email).first())
    let secret = try app.vault.open(XCTUnwrap(staff.totpSecretSealed), context: StaffSecondFactor.sealContext)
    let now = TimeBasedCode.counter(at: app.clock.now())
    return TimeBasedCode(secret: TimeBasedCode.bytes(base32: secret)!).code(counter: max(now, (staff.totpLastStep ?? 0) + 1))
}

/// A valid national ID number (男, 臺北市 A) for the n-th test person.
func nationalID(_ n: Int, letter: String = "A") -> String {
    let firstNine = letter + "1" + String(format: "%07d", n)
    return firstNine + String(IdentityNumber.checkDigit(forFirstNine: firstNine)!)
}

/// An active Taipei reader signed in on the returned browser (password `river lantern mango`).
func signedInReader(_ app: Application, idNumber: String = "A123456789") async throws -> (TestBrowser, Patron) {
    let patron = try await activateCard(app, try await submitApplication(app, idNumber: idNumber))
    let browser = TestBrowser(app)
    try await browser.get("/login")
    let response = try await browser.post("/login", form: ["identifier": patron.cardNumber!, "password": "river lantern mango"])
    XCTAssertEqual(response.status, .seeOther)
    return (browser, patron)
}

/// An outbox email as the worker sends it: its sealed one-time link put back where the stored message
/// holds a placeholder.
func sentMail(_ row: OutboxMessage, _ app: Application) throws -> MailMessage {
    try OutboxSecrets.reveal(JSONDecoder().decode(MailMessage.self, from: Data(row.payload.utf8)), sealed: row.secretsSealed, with: app.vault)
}

/// What the outbox worker does with queued link requests (忘記密碼, the group contact's link): looks each
/// one up and queues its email, or nothing. The emails stay queued, so a test can read their links.
func answerLinkRequests(_ app: Application) async throws {
    try await app.outboxWorker.deliverDue(kinds: [.linkRequest])
}

/// `XCTAssertEqual(response.status, status)` for a response awaited in the call itself
/// (`expectStatus(try await browser.get("/staff"), .ok)`): XCTAssert's autoclosures cannot await.
func expectStatus(_ response: XCTHTTPResponse, _ status: HTTPResponseStatus, _ message: String = "",
                  file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(response.status, status, message, file: file, line: line)
}
