import Fluent
import Foundation
import XCTVapor
@testable import App
import TestSubprocess

/// A certificate authority made by the openssl command line tool for one test: a root (the trust
/// anchor, standing in for GRCA/MOICA), card certificates it signs, and its CRL.
final class TestCertificateAuthority {
    let directory: URL
    let name: String

    init(name: String) async throws {
        self.name = name
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("test-ca-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try write("index.txt", "")
        try write("crlnumber", "01\n")
        try write("ca.cnf", """
            [ ca ]
            default_ca = test
            [ test ]
            database = \(directory.path)/index.txt
            crlnumber = \(directory.path)/crlnumber
            default_md = sha256
            default_crl_days = 30
            [ leaf ]
            basicConstraints = critical, CA:FALSE
            keyUsage = critical, digitalSignature
            [ encipherment ]
            basicConstraints = critical, CA:FALSE
            keyUsage = critical, keyEncipherment
            """)
        try await openssl(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", path("ca.key"), "-out", path("ca.pem"),
                     "-days", "3650", "-subj", "/C=TW/O=Test/CN=\(name)", "-utf8",
                     "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign"])
        try await crl()
    }

    func path(_ file: String) -> String { directory.appendingPathComponent(file).path }

    func write(_ file: String, _ text: String) throws {
        try text.write(toFile: path(file), atomically: true, encoding: .utf8)
    }

    @discardableResult
    func openssl(_ arguments: [String]) async throws -> Data {
        let outcome = try await Subprocess.run(["openssl"] + arguments)
        guard outcome.status == 0 else {
            throw TestFailure("openssl \(arguments.first ?? "") failed (is the openssl command installed? scripts/install-test-tools): \(outcome.stderrText)")
        }
        return outcome.stdout
    }

    func crl() async throws {
        try await openssl(["ca", "-config", path("ca.cnf"), "-gencrl", "-keyfile", path("ca.key"), "-cert", path("ca.pem"), "-out", path("ca.crl")])
    }

    /// A card certificate for `holder`, valid for `days` from now; `extensions` is `leaf` (signing) or `encipherment`.
    func card(_ holder: String, serial: String, days: Int = 365, extensions: String = "leaf") async throws -> (certificate: String, key: String) {
        let key = path("\(serial).key"), csr = path("\(serial).csr"), certificate = path("\(serial).pem")
        try await openssl(["req", "-new", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", csr, "-subj", "/C=TW/CN=\(holder)", "-utf8"])
        try await openssl(["x509", "-req", "-in", csr, "-CA", path("ca.pem"), "-CAkey", path("ca.key"), "-set_serial", "0x\(serial)",
                     "-days", String(days), "-extfile", path("ca.cnf"), "-extensions", extensions, "-out", certificate])
        return (try String(contentsOfFile: certificate, encoding: .utf8), key)
    }

    func revoke(serial: String) async throws {
        try await openssl(["ca", "-config", path("ca.cnf"), "-revoke", path("\(serial).pem"), "-keyfile", path("ca.key"), "-cert", path("ca.pem")])
        try await crl()
    }

    /// What the card's component returns: the signature over the page's nonce, base64.
    func sign(_ nonce: Data, key: String) async throws -> String {
        let file = path("nonce-\(UUID().uuidString)")
        try nonce.write(to: URL(fileURLWithPath: file))
        return try await openssl(["dgst", "-sha256", "-sign", key, file]).base64EncodedString()
    }
}

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// The certificate page's steps, shared by the raw-signature and the component (CMS) tests.
extension XCTestCase {
    func withCertificateApp(_ ca: TestCertificateAuthority, clock: TestClock, _ body: (Application) async throws -> Void) async throws {
        try await withTestApp(clock: clock, adjust: {
            $0.citizenCertificateAnchors = [ca.path("ca.pem")]
            $0.citizenCertificateCRLs = [ca.path("ca.crl")]
        }, body)
    }

    /// Passes the eligibility check, opens the certificate page and returns its nonce.
    func certificatePage(_ app: Application, idNumber: String = "A123456789") async throws -> (TestBrowser, Data) {
        let browser = TestBrowser(app)
        try await browser.get("/digital-card")
        try await browser.post("/digital-card", form: ["idNumber": idNumber])
        let page = try await browser.get("/digital-card/certificate")
        XCTAssertEqual(page.status, .ok)
        let marker = #"name="nonce" value=""#
        let start = try XCTUnwrap(page.text.range(of: marker)).upperBound
        let nonce = String(page.text[start...].prefix { $0 != "\"" })
        return (browser, try XCTUnwrap(Data(base64Encoded: nonce)))
    }

    func form(name: String = "王小明", certificate: String, signature: String) -> [String: String] {
        ["name": name, "birthDate": "1990-05-03", "email": "wang@example.org", "password": "river lantern mango",
         "passwordConfirmation": "river lantern mango", "agree": "yes", "certificate": certificate, "signature": signature]
    }
}

/// 自然人憑證: the card signs the page's nonce; a good certificate for the applicant's name makes the
/// digital card active at once.
final class CitizenCertificateApplicationTests: XCTestCase {

    func testAGoodCertificateActivatesTheDigitalCardAtOnce() async throws {
        let ca = try await TestCertificateAuthority(name: "Test MOICA")
        let card = try await ca.card("王小明", serial: "C0FFEE01")
        try await withCertificateApp(ca, clock: TestClock(Date())) { app in
            let (browser, nonce) = try await certificatePage(app)
            let response = try await browser.post("/digital-card/certificate",
                                                  form: form(certificate: card.certificate, signature: try await ca.sign(nonce, key: card.key)))
            XCTAssertEqual(response.headers.first(name: .location), "/digital-card/done")
            let done = try await browser.get("/digital-card/done")
            XCTAssertTrue(done.text.contains("您的數位借閱證已開通"))
            let application = try await XCTUnwrapAsync(await DigitalCardApplication.query(on: app.db).with(\.$patron).first())
            XCTAssertEqual(application.method, .certificate)
            XCTAssertEqual(application.status, .approved)
            XCTAssertEqual(application.certificateSerial, "C0FFEE01")
            XCTAssertEqual(application.patron.status, .active)
            XCTAssertEqual(application.patron.cardKind, .digital)
            XCTAssertNotNil(application.patron.cardNumber)
            let files = try await IdentityDocumentFile.query(on: app.db).count()
            XCTAssertEqual(files, 0, "no documents are needed")

            // The new card holder signs in.
            let reader = TestBrowser(app)
            try await reader.get("/login")
            let signIn = try await reader.post("/login", form: ["identifier": "A123456789", "password": "river lantern mango"])
            XCTAssertEqual(signIn.headers.first(name: .location), "/account/home")
            let home = try await reader.get("/account/home")
            XCTAssertTrue(home.text.contains("數位借閱證：僅限使用電子資源，不能借閱或預約館藏實體資料"))
        }
    }

    func testExpiredWrongCAMismatchedNameRevokedAndReplayedAreRefused() async throws {
        let ca = try await TestCertificateAuthority(name: "Test MOICA")
        let stranger = try await TestCertificateAuthority(name: "Test MOICA") // same name, other key: a look-alike CA
        let good = try await ca.card("王小明", serial: "0A01")
        let shortLived = try await ca.card("王小明", serial: "0A02", days: 1)
        let forged = try await stranger.card("王小明", serial: "0A03")
        let encipherment = try await ca.card("王小明", serial: "0A04", extensions: "encipherment")
        let revoked = try await ca.card("王小明", serial: "0A05")
        try await ca.revoke(serial: "0A05")
        let clock = TestClock(Date())
        try await withCertificateApp(ca, clock: clock) { app in
            func attempt(_ card: (certificate: String, key: String), name: String = "王小明", idNumber: String,
                         expect code: String, file: StaticString = #filePath, line: UInt = #line) async throws {
                let (browser, nonce) = try await certificatePage(app, idNumber: idNumber)
                let response = try await browser.post("/digital-card/certificate",
                                                      form: form(name: name, certificate: card.certificate, signature: try await ca.sign(nonce, key: card.key)))
                XCTAssertEqual(response.status, .unprocessableEntity, code, file: file, line: line)
                let message = app.localizer.text("apply.error.\(code)", .zhTW, [:])
                XCTAssertTrue(response.text.contains(#"<p class="field-error" id="certificate-error">\#(message)</p>"#), code, file: file, line: line)
            }
            try await attempt(forged, idNumber: nationalID(41), expect: "citizen_cert_untrusted")
            try await attempt(good, name: "王大明", idNumber: nationalID(42), expect: "citizen_cert_name_mismatch")
            try await attempt(encipherment, idNumber: nationalID(43), expect: "citizen_cert_key_usage")
            try await attempt(revoked, idNumber: nationalID(44), expect: "citizen_cert_revoked")

            // A signature over another nonce (an old page's) does not verify.
            let (browser, _) = try await certificatePage(app, idNumber: nationalID(45))
            let stale = try await browser.post("/digital-card/certificate",
                                               form: form(certificate: good.certificate, signature: try await ca.sign(Data("old nonce".utf8), key: good.key)))
            XCTAssertTrue(stale.text.contains(app.localizer.text("apply.error.citizen_cert_bad_signature", .zhTW, [:])))

            clock.advance(by: 3 * 86400)
            try await attempt(shortLived, idNumber: nationalID(46), expect: "citizen_cert_expired")

            let stored = try await Patron.query(on: app.db).count()
            XCTAssertEqual(stored, 0, "nothing is stored for a refused certificate")
            let refusals = try await AuditEvent.query(on: app.db).filter(\.$action == "digital_card.certificate_refused").count()
            XCTAssertEqual(refusals, 6)
        }
    }

    func testWithoutConfiguredAnchorsTheCertificatePathIsNotOffered() async throws {
        try await withTestApp { app in
            let browser = TestBrowser(app)
            try await browser.get("/digital-card")
            try await browser.post("/digital-card", form: ["idNumber": "A123456789"])
            let form = try await browser.get("/digital-card/form")
            XCTAssertFalse(form.text.contains(#"href="/digital-card/certificate""#))
            let page = try await browser.get("/digital-card/certificate")
            XCTAssertTrue(page.text.contains("目前未提供自然人憑證驗證"))
        }
    }
}
