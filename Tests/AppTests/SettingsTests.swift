import Foundation
import Vapor
import XCTest
@testable import App

/// Settings read from the environment: a value that cannot be meant is refused at start, never replaced by a default.
final class SettingsTests: XCTestCase {
    private func settings(_ variables: [String: String]) throws -> OneCardSettings {
        for (name, value) in variables { setenv(name, value, 1) }
        defer { for name in variables.keys { unsetenv(name) } }
        return try OneCardSettings.fromEnvironment(Environment(name: "testing", arguments: ["onecard", "serve"]))
    }

    func testPendingApplicationDaysAreANumberOfDaysOrAnError() throws {
        XCTAssertEqual(try settings([:]).pendingApplicationLifetimeDays, 30, "unset: the documented default")
        XCTAssertEqual(try settings(["ONECARD_PENDING_APPLICATION_DAYS": "14"]).pendingApplicationLifetimeDays, 14)
        for garbage in ["thirty", "-5", "0", "7.5", "14 days"] {
            XCTAssertThrowsError(try settings(["ONECARD_PENDING_APPLICATION_DAYS": garbage]), garbage) { error in
                XCTAssertEqual((error as? ConfigurationError)?.variable, "ONECARD_PENDING_APPLICATION_DAYS", garbage)
            }
        }
    }

    func testSIP2HostAndPerAddressLimit() throws {
        let defaults = try settings([:])
        XCTAssertNil(defaults.sip2Host, "unset: SIP2 binds where the HTTP server binds")
        XCTAssertEqual(defaults.sip2MaximumConnectionsPerAddress, 100)
        let set = try settings(["ONECARD_SIP2_HOST": "0.0.0.0", "ONECARD_SIP2_MAX_CONNECTIONS_PER_ADDRESS": "8"])
        XCTAssertEqual(set.sip2Host, "0.0.0.0")
        XCTAssertEqual(set.sip2MaximumConnectionsPerAddress, 8)
        for garbage in ["none", "0", "-1", "2.5"] {
            XCTAssertThrowsError(try settings(["ONECARD_SIP2_MAX_CONNECTIONS_PER_ADDRESS": garbage]), garbage) { error in
                XCTAssertEqual((error as? ConfigurationError)?.variable, "ONECARD_SIP2_MAX_CONNECTIONS_PER_ADDRESS", garbage)
            }
        }
    }

    func testTrustedProxiesAreIPAddressesOrAnError() throws {
        XCTAssertEqual(try settings([:]).trustedProxies, [], "unset: no X-Forwarded-For is believed")
        XCTAssertEqual(try settings(["ONECARD_TRUSTED_PROXIES": "127.0.0.1, ::1"]).trustedProxies, ["127.0.0.1", "::1"])
        for garbage in ["localhost", "10.0.0.0/8", "127.0.0.1,proxy"] {
            XCTAssertThrowsError(try settings(["ONECARD_TRUSTED_PROXIES": garbage]), garbage) { error in
                XCTAssertEqual((error as? ConfigurationError)?.variable, "ONECARD_TRUSTED_PROXIES", garbage)
            }
        }
    }
}
