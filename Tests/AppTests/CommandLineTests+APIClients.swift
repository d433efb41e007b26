import Foundation
import XCTest
@testable import App

/// Issue #15 item 4: `onecard api-client create --scope …`, `list`, `update`.
extension CommandLineTests {
    func testAPIClientScopesAreSetOnCreateListedAndChanged() async throws {
        let missing = try await onecard("api-client", "create", "--name", "Kiosk", "--library", "TPML")
        XCTAssertNotEqual(missing.status, 0)
        XCTAssertTrue(missing.stderr.contains("--scope is required"), missing.stderr)
        let unknown = try await onecard("api-client", "create", "--name", "Kiosk", "--library", "TPML", "--scope", "everything")
        XCTAssertNotEqual(unknown.status, 0)
        XCTAssertTrue(unknown.stderr.contains("unknown scope 'everything'"), unknown.stderr)

        let created = try await onecard("api-client", "create", "--name", "HyRead", "--library", "NLPI", "--scope", "patron-authentication")
        XCTAssertEqual(created.status, 0, created.stderr)
        let token = created.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        XCTAssertGreaterThan(token.count, 30)
        let listed = try await onecard("api-client", "list", "--json")
        XCTAssertEqual(listed.status, 0, listed.stderr)
        XCTAssertFalse(listed.stdout.contains(token))
        let clients = try JSONDecoder().decode([APIClients.Listed].self, from: Data(listed.stdout.utf8))
        XCTAssertEqual(clients.count, 1)
        XCTAssertEqual(clients[0].scopes, ["patron-authentication"])
        XCTAssertEqual(clients[0].library, "NLPI")
        XCTAssertFalse(clients[0].alternateIdentifiers)

        let updated = try await onecard("api-client", "update", "--client", clients[0].id, "--scope", "partner-lookup,patron-authentication",
                                  "--alternate-ids")
        XCTAssertEqual(updated.status, 0, updated.stderr)
        let after = try JSONDecoder().decode([APIClients.Listed].self, from: Data(try await onecard("api-client", "list", "--json").stdout.utf8))
        XCTAssertEqual(after[0].scopes, ["partner-lookup", "patron-authentication"])
        XCTAssertTrue(after[0].alternateIdentifiers)
        let nobody = try await onecard("api-client", "update", "--client", UUID().uuidString, "--scope", "partner-lookup")
        XCTAssertNotEqual(nobody.status, 0)
        XCTAssertTrue(nobody.stderr.contains("no API client"), nobody.stderr)
    }
}

/// Issue #15 item 3: `onecard ezproxy host add|list|remove`.
extension CommandLineTests {
    func testEZproxyHostAddPrintsTheUserTextOnceAndListNeverShowsTheSecret() async throws {
        let added = try await onecard("ezproxy", "host", "add", "--name", "nlpi", "--library", "NLPI", "--url", "https://ezproxy.nlpi.example")
        XCTAssertEqual(added.status, 0, added.stderr)
        XCTAssertTrue(added.stdout.hasPrefix("::CGI=http://127.0.0.1:8080/ezproxy/nlpi/login?url=^U\n::Ticket\n"), added.stdout)
        let secretLine = try XCTUnwrap(added.stdout.split(separator: "\n").first { $0.hasPrefix("SHA512 ") })
        let secret = String(secretLine.dropFirst("SHA512 ".count))
        XCTAssertGreaterThan(secret.count, 30)
        let listed = try await onecard("ezproxy", "host", "list", "--json")
        XCTAssertEqual(listed.status, 0, listed.stderr)
        XCTAssertFalse(listed.stdout.contains(secret))
        let hosts = try JSONDecoder().decode([EZproxyHosts.Listed].self, from: Data(listed.stdout.utf8))
        XCTAssertEqual(hosts, [.init(name: "nlpi", library: "NLPI", loginURL: "https://ezproxy.nlpi.example", algorithm: "sha512")])
        let again = try await onecard("ezproxy", "host", "add", "--name", "nlpi", "--library", "NLPI", "--url", "https://ezproxy.nlpi.example")
        XCTAssertNotEqual(again.status, 0)
        XCTAssertTrue(again.stderr.contains("exists already"), again.stderr)
        let answer1 = try await onecard("ezproxy", "host", "remove", "--name", "nlpi").status
        XCTAssertEqual(answer1, 0)
        let answer2 = try await onecard("ezproxy", "host", "list", "--json").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        XCTAssertEqual(answer2, "[\n\n]")
    }
}
