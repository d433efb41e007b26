import Foundation
import XCTest
@testable import App

/// Issue #14 item 6: the command line keeps up with the back office: an API client's allowed addresses, disabling
/// and a new token, through the same `APIClients` as `/staff/api-clients`.
extension CommandLineTests {
    func testAPIClientAddressesDisablingAndNewTokensFromTheCommandLine() async throws {
        let bad = try await onecard("api-client", "create", "--name", "Kiosk", "--library", "TPML", "--scope", "card-applications",
                              "--allow", "10.0.0.0/8,10.1.2.300")
        XCTAssertNotEqual(bad.status, 0)
        XCTAssertTrue(bad.stderr.contains("--allow: '10.1.2.300' is not an address"), bad.stderr)
        let created = try await onecard("api-client", "create", "--name", "Kiosk", "--library", "TPML", "--scope", "card-applications",
                                  "--allow", "10.0.0.0/8")
        XCTAssertEqual(created.status, 0, created.stderr)
        let token = created.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let clients = try JSONDecoder().decode([APIClients.Listed].self, from: Data(try await onecard("api-client", "list", "--json").stdout.utf8))
        let id = try XCTUnwrap(clients.first?.id)

        let widened = try await onecard("api-client", "update", "--client", id, "--allow", "any")
        XCTAssertEqual(widened.status, 0, widened.stderr)
        let rotated = try await onecard("api-client", "rotate-token", "--client", id)
        XCTAssertEqual(rotated.status, 0, rotated.stderr)
        let newToken = rotated.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        XCTAssertGreaterThan(newToken.count, 30)
        XCTAssertNotEqual(newToken, token)
        let disabled = try await onecard("api-client", "disable", "--client", id)
        XCTAssertEqual(disabled.status, 0, disabled.stderr)
        let after = try JSONDecoder().decode([APIClients.Listed].self, from: Data(try await onecard("api-client", "list", "--json").stdout.utf8))
        XCTAssertEqual(after.first?.revoked, true)
        let again = try await onecard("api-client", "rotate-token", "--client", id)
        XCTAssertNotEqual(again.status, 0, "a disabled client gets no new token")
    }
}
