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

    func testFilesAreKeptInTheDatabaseWithPostgreSQLOnDiskOtherwiseUnlessTold() throws {
        let postgres = "postgres://onecard:secret@127.0.0.1:5432/onecard"
        XCTAssertEqual(try settings(["DATABASE_URL": ""]).fileStorage, .disk, "the embedded default keeps uploads/")
        XCTAssertEqual(try settings(["DATABASE_URL": postgres]).fileStorage, .database, "instances sharing PostgreSQL share the files")
        XCTAssertEqual(try settings(["DATABASE_URL": postgres, "ONECARD_FILE_STORAGE": "disk"]).fileStorage, .disk)
        XCTAssertEqual(try settings(["DATABASE_URL": "", "ONECARD_FILE_STORAGE": "Database"]).fileStorage, .database)
        for garbage in ["postgres", "s3", "db", "files"] {
            XCTAssertThrowsError(try settings(["ONECARD_FILE_STORAGE": garbage]), garbage) { error in
                XCTAssertEqual((error as? ConfigurationError)?.variable, "ONECARD_FILE_STORAGE", garbage)
            }
        }
    }
}
