import Foundation
import Testing
@testable import SIP2

/// The server against SIP2 clients nobody here wrote: PyPI `sip2` (an SC client) and PyPI `pysip2`'s
/// strict codec over a socket. Needs `pip install sip2 pysip2` (scripts/install-test-tools).
@Suite struct PythonClientTests {
    @Test func pypiSip2Client() async throws {
        let log = LogCollector()
        let output = try await withServer(log: log) { port, _ in
            try await runPythonHelper("pypi_sip2_client.py", [
                "--port", "\(port)", "--user", "selfcheck", "--password", "selfcheck-secret",
                "--patron", "A0001", "--patron-password", "ming-pass",
            ])
        }
        #expect(output["wrongLogin"] as? String == "0")
        #expect(output["login"] as? String == "1")
        let checksum = try #require(output["unpaddedChecksum"] as? String)
        #expect(checksum.count < 4, "the client sent an unpadded checksum (\(checksum)) and the server answered it")

        let acs = try #require(output["acsStatus"] as? [String: String])
        #expect(acs["OnlineStatus"] == "Y" && acs["CheckoutOk"] == "N" && acs["ProtocolVersion"] == "2.00")
        #expect(acs["AO"] == "TPML" && acs["BX"] == "YNNNYYYYYNNNNNNN")

        let unknown = try #require(output["unknownPatron"] as? [String: String])
        #expect(unknown["PatronStatus"] == "YYYY          " && unknown["BL"] == "N" && unknown["CQ"] == nil)
        #expect(unknown["AO"] == String(repeating: "x", count: 255), "AO is echoed")
        let wrong = try #require(output["wrongPassword"] as? [String: String])
        #expect(wrong["BL"] == "Y" && wrong["CQ"] == "N")
        let right = try #require(output["rightPassword"] as? [String: String])
        #expect(right["BL"] == "Y" && right["CQ"] == "Y" && right["AE"] == "王小明")
        let none = try #require(output["noPassword"] as? [String: String])
        #expect(none["BL"] == "Y" && none["CQ"] == nil, "the client sends an empty AD, which asks nothing")

        let information = try #require(output["patronInformation"] as? [String: String])
        #expect(information["ChargedItemsCount"] == "0000" && information["CQ"] == "Y")
        #expect(information["BE"] == "ming@example.tw")
        let end = try #require(output["endSession"] as? [String: String])
        #expect(end["EndSession"] == "Y" && end["AA"] == "A0001")
        let last = try #require(output["lastResponse"] as? String)
        #expect(try SIP2Message.decode(Array(last.utf8)).checksum?.count == 4)

        #expect(log.events("connection_closed").contains { $0.message.contains("TLS") },
                "the client probed TLS first and fell back to plain text")
        #expect(log.events("login_failed").count == 1)
    }

    @Test(arguments: [("selfcheck", "utf-8"), ("legacy", "cp950")])
    func pysip2Codec(user: String, encoding: String) async throws {
        let output = try await withServer { port, _ in
            try await runPythonHelper("pysip2_codec_client.py", [
                "--port", "\(port)", "--user", user, "--password", "\(user)-secret", "--institution", "TPML",
                "--patron", "A0001", "--patron-password", "ming-pass", "--encoding", encoding,
            ])
        }
        func response(_ key: String) throws -> [String: Any] { try #require(output[key] as? [String: Any]) }
        let login = try response("login")
        #expect(login["type"] as? String == "LoginResponse" && login["ok"] as? String == "1")
        #expect(login["sequence"] as? Int == 0 && (login["checksum"] as? String)?.count == 4)

        let acs = try response("acsStatus")
        #expect(acs["online_status"] as? String == "Y" && acs["supported_messages"] as? String == "YNNNYYYYYNNNNNNN")
        #expect(acs["library_name"] as? String == (user == "legacy" ? "臺北市立圖書館" : "Taipei Public Library"))
        #expect(acs["sequence"] as? Int == 1)

        let unknown = try response("unknownPatron")
        #expect(unknown["patron_status"] as? String == "YYYY          ")
        #expect(unknown["valid_patron"] as? String == "N" && unknown["valid_patron_password"] is NSNull)
        let wrong = try response("wrongPassword")
        #expect(wrong["valid_patron"] as? String == "Y" && wrong["valid_patron_password"] as? String == "N")
        let right = try response("rightPassword")
        #expect(right["valid_patron_password"] as? String == "Y" && right["personal_name"] as? String == "王小明")

        let information = try response("patronInformation")
        #expect(information["type"] as? String == "PatronInformationResponse")
        #expect(information["charged_items_count"] as? String == "0000")
        #expect(information["email_address"] as? String == "ming@example.tw")
        #expect(try response("endSession")["end_session"] as? String == "Y")
        // With error detection on, a corrupted checksum is answered with 96; off, checksums are not checked.
        let corrupted = try response("corrupted")["type"] as? String
        #expect(corrupted == (user == "selfcheck" ? "RequestSCResend" : "ACSStatusResponse"))
    }
}
