import Fluent
import Foundation
import XCTVapor
@testable import App

/// 自然人憑證 through the MOICA card-reader component (HiPKI Local Server): the page posts the card's
/// certificate as the component read it (`certb64` of GetUserCert, possibly nothing) and the component's
/// PKCS#7/CMS SignedData (`signature` of MakeSignature) over the page's nonce. The messages are made by
/// `openssl cms -sign`, as the Python stand-in for the component makes them (tests/hipki/local_server.py).
final class CitizenCertificateComponentTests: XCTestCase {
    /// The certificate as `certb64` carries it: base64 DER, no PEM armour.
    func certb64(_ pem: String) -> String {
        pem.split(separator: "\n").filter { !$0.hasPrefix("-----") }.joined()
    }

    func assertRefused(_ response: XCTHTTPResponse, _ code: String, _ app: Application,
                       file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(response.status, .unprocessableEntity, code, file: file, line: line)
        let message = app.localizer.text("apply.error.\(code)", .zhTW, [:])
        XCTAssertFalse(message.isEmpty || message.hasPrefix("apply.error"), "\(code) has a message", file: file, line: line)
        XCTAssertTrue(response.text.contains(#"<p class="field-error" id="certificate-error">\#(message)</p>"#), code, file: file, line: line)
    }

    func testTheComponentsCMSSignatureActivatesTheCardEnvelopingOrDetached() async throws {
        let ca = try await TestCertificateAuthority(name: "Test MOICA")
        let card = try await ca.card("王小明", serial: "C0FFEE11")
        try await withCertificateApp(ca, clock: TestClock(Date())) { app in
            // Enveloping, with the certificate as GetUserCert read it posted beside.
            let (browser, nonce) = try await certificatePage(app)
            let response = try await browser.post("/digital-card/certificate", form: form(
                certificate: certb64(card.certificate), signature: try await ca.cms(nonce, card: card)))
            XCTAssertEqual(response.headers.first(name: .location), "/digital-card/done")
            let done = try await browser.get("/digital-card/done")
            XCTAssertTrue(done.text.contains("您的數位借閱證已開通"))
            let application = try await XCTUnwrapAsync(await DigitalCardApplication.query(on: app.db).with(\.$patron).first())
            XCTAssertEqual(application.method, .certificate)
            XCTAssertEqual(application.certificateSerial, "C0FFEE11")
            XCTAssertEqual(application.patron.status, .active)
        }
        for (index, shape) in [TestCertificateAuthority.CMSForm.detached, .withoutAttributes].enumerated() {
            try await withCertificateApp(ca, clock: TestClock(Date())) { app in
                // Nothing posted beside the signature: the message carries the card's certificate.
                let (browser, nonce) = try await certificatePage(app, idNumber: nationalID(60 + index))
                let response = try await browser.post("/digital-card/certificate", form: form(
                    certificate: "", signature: try await ca.cms(nonce, card: card, form: shape)))
                XCTAssertEqual(response.headers.first(name: .location), "/digital-card/done", "\(shape)")
                let patron = try await XCTUnwrapAsync(await Patron.query(on: app.db).first())
                XCTAssertEqual(patron.status, .active, "\(shape)")
            }
        }
    }

    func testAMessageWithoutCertificatesUsesTheOneReadFromTheCard() async throws {
        let ca = try await TestCertificateAuthority(name: "Test MOICA")
        let card = try await ca.card("王小明", serial: "C0FFEE12")
        try await withCertificateApp(ca, clock: TestClock(Date())) { app in
            let (browser, nonce) = try await certificatePage(app)
            let signature = try await ca.cms(nonce, card: card, form: .detached, certificates: false)
            let bare = try await browser.post("/digital-card/certificate", form: form(certificate: "", signature: signature))
            assertRefused(bare, "citizen_cert_signer_mismatch", app)

            let (again, fresh) = try await certificatePage(app)
            let response = try await again.post("/digital-card/certificate", form: form(
                certificate: certb64(card.certificate), signature: try await ca.cms(fresh, card: card, form: .detached, certificates: false)))
            XCTAssertEqual(response.headers.first(name: .location), "/digital-card/done")
        }
    }

    func testStaleNonceRevokedCardAndASignerOtherThanTheCardAreRefused() async throws {
        let ca = try await TestCertificateAuthority(name: "Test MOICA")
        let good = try await ca.card("王小明", serial: "0B01")
        let other = try await ca.card("王小明", serial: "0B02")
        let revoked = try await ca.card("王小明", serial: "0B03")
        try await ca.revoke(serial: "0B03")
        try await withCertificateApp(ca, clock: TestClock(Date())) { app in
            // A message over an earlier page's nonce, enveloping (other content) or detached (other digest).
            let (first, oldNonce) = try await certificatePage(app, idNumber: nationalID(71))
            for shape in [TestCertificateAuthority.CMSForm.enveloping, .detached, .withoutAttributes] {
                let (browser, _) = try await certificatePage(app, idNumber: nationalID(71))
                let stale = try await browser.post("/digital-card/certificate", form: form(
                    certificate: certb64(good.certificate), signature: try await ca.cms(oldNonce, card: good, form: shape)))
                assertRefused(stale, "citizen_cert_bad_signature", app)
            }
            // The nonce is good for one try: after a refusal the page carries a new one, and the old one's
            // signature no longer verifies.
            let refused = try await first.post("/digital-card/certificate", form: form(
                certificate: certb64(good.certificate), signature: try await ca.cms(Data("wrong".utf8), card: good)))
            assertRefused(refused, "citizen_cert_bad_signature", app)
            let replay = try await first.post("/digital-card/certificate", form: form(
                certificate: certb64(good.certificate), signature: try await ca.cms(oldNonce, card: good)))
            assertRefused(replay, "citizen_cert_bad_signature", app)

            let (revokedPage, nonce) = try await certificatePage(app, idNumber: nationalID(72))
            let revokedResponse = try await revokedPage.post("/digital-card/certificate", form: form(
                certificate: certb64(revoked.certificate), signature: try await ca.cms(nonce, card: revoked)))
            assertRefused(revokedResponse, "citizen_cert_revoked", app)

            // Signed by another card than the one whose certificate was read (and whose chain is verified).
            let (swapped, swappedNonce) = try await certificatePage(app, idNumber: nationalID(73))
            let swappedResponse = try await swapped.post("/digital-card/certificate", form: form(
                certificate: certb64(good.certificate), signature: try await ca.cms(swappedNonce, card: other)))
            assertRefused(swappedResponse, "citizen_cert_signer_mismatch", app)

            let stored = try await Patron.query(on: app.db).count()
            XCTAssertEqual(stored, 0, "nothing is stored for a refused signature")
            let reasons = try await AuditEvent.query(on: app.db).filter(\.$action == "digital_card.certificate_refused").all()
                .compactMap(\.details).joined(separator: " ")
            XCTAssertTrue(reasons.contains("citizen_cert_signer_mismatch"))
            XCTAssertTrue(reasons.contains("citizen_cert_revoked"))
        }
    }

    func testThePageTalksToTheComponentAndOnlyItMayReachIt() async throws {
        let ca = try await TestCertificateAuthority(name: "Test MOICA")
        try await withCertificateApp(ca, clock: TestClock(Date())) { app in
            let (browser, _) = try await certificatePage(app)
            let page = try await browser.get("/digital-card/certificate")
            let policy = page.headers.first(name: "Content-Security-Policy") ?? ""
            XCTAssertTrue(policy.hasSuffix("; connect-src 'self' http://127.0.0.1:61161"), policy)
            XCTAssertTrue(policy.contains("script-src 'self';"), policy)
            XCTAssertFalse(policy.contains("unsafe-inline"), policy)
            // Nothing the person must copy or paste, and no PIN field: the component asks for the PIN.
            XCTAssertFalse(page.text.contains("<textarea"))
            XCTAssertFalse(page.text.lowercased().contains(#"type="password" id="pin""#))
            XCTAssertTrue(page.text.contains(#"<input type="hidden" id="signature" name="signature" value="">"#))
            XCTAssertTrue(page.text.contains(#"data-component="http://127.0.0.1:61161""#))
            XCTAssertTrue(page.text.contains(#"role="status" aria-live="polite""#))
            XCTAssertTrue(page.text.contains(#"<button type="button" id="read-card""#))
            XCTAssertTrue(page.text.contains(#"<script src="/js/citizen-certificate.js" defer></script>"#))
            XCTAssertTrue(page.text.contains("尚未安裝讀卡元件"))
            XCTAssertTrue(page.text.contains(#"<a href="/digital-card/form" id="use-documents">"#))
            // A refused submission shows the page again, with the same policy.
            let refused = try await browser.post("/digital-card/certificate", form: form(certificate: "", signature: "AAAA"))
            XCTAssertEqual(refused.status, .unprocessableEntity)
            XCTAssertTrue(refused.headers.first(name: "Content-Security-Policy")?.hasSuffix("connect-src 'self' http://127.0.0.1:61161") == true)

            // No other page may reach the component.
            for path in ["/digital-card/form", "/digital-card", "/"] {
                let other = try await browser.get(path)
                XCTAssertFalse(other.headers.first(name: "Content-Security-Policy")?.contains("connect-src") ?? true, path)
            }
            let english = TestBrowser(app)
            english.acceptLanguage = "en"
            let (englishBrowser, _) = try await certificatePage(app, idNumber: nationalID(80))
            englishBrowser.acceptLanguage = "en"
            let englishPage = try await englishBrowser.get("/digital-card/certificate?lang=en")
            XCTAssertTrue(englishPage.text.contains("The card-reader component is not installed"), englishPage.text)
            let script = try await english.get("/js/citizen-certificate.js")
            XCTAssertEqual(script.status, .ok)
            XCTAssertTrue(script.text.contains("/popupForm"))
        }
    }
}
