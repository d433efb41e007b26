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

    func testSMTPRelayURLFormsCredentialsAndTLSPolicy() throws {
        XCTAssertNil(try settings([:]).smtp, "unset: the mail drop")
        // A bare smtp:// URL is the plain SMTP it always was.
        let plain = try XCTUnwrap(try settings(["SMTP_URL": "smtp://relay.example:2525"]).smtp)
        XCTAssertEqual(plain, SMTPRelaySettings(host: "relay.example", port: 2525, security: .none))
        XCTAssertEqual(try settings(["SMTP_URL": "smtp://relay.example"]).smtp?.port, 25)
        // smtps:// is TLS from the start, on 465 unless told otherwise.
        let implicit = try XCTUnwrap(try settings(["SMTP_URL": "smtps://relay.example"]).smtp)
        XCTAssertEqual(implicit.port, 465)
        XCTAssertEqual(implicit.security, .implicitTLS)
        XCTAssertEqual(try settings(["SMTP_URL": "smtps://relay.example:2465"]).smtp?.port, 2465)
        // Credentials in the URL are percent-decoded, and make STARTTLS required.
        let signedIn = try XCTUnwrap(try settings(["SMTP_URL": "smtp://mailer%40library.example:p%40ss%3Aw%C3%B6rd%2F1@relay.example:587"]).smtp)
        XCTAssertEqual(signedIn.credentials, SMTPCredentials(username: "mailer@library.example", password: "p@ss:wörd/1"))
        XCTAssertEqual(signedIn.security, .startTLS)
        XCTAssertEqual(signedIn.port, 587)
        // Or from their own variables, so they need not sit in a URL.
        let separate = try XCTUnwrap(try settings(["SMTP_URL": "smtp://relay.example:587", "SMTP_USERNAME": "mailer", "SMTP_PASSWORD": "s3cret word"]).smtp)
        XCTAssertEqual(separate.credentials, SMTPCredentials(username: "mailer", password: "s3cret word"))
        XCTAssertEqual(separate.security, .startTLS)
        XCTAssertEqual(try settings(["SMTP_URL": "smtp://relay.example", "SMTP_STARTTLS": "opportunistic"]).smtp?.security, .startTLSIfOffered)
        XCTAssertEqual(try settings(["SMTP_URL": "smtp://relay.example", "SMTP_STARTTLS": "Required"]).smtp?.security, .startTLS)
        XCTAssertEqual(try settings(["SMTP_URL": "smtp://relay.example"]).smtp?.timeout, .seconds(30))
        XCTAssertEqual(try settings(["SMTP_URL": "smtp://relay.example", "SMTP_TIMEOUT_SECONDS": "5"]).smtp?.timeout, .seconds(5))
        // The password is withheld from every printed form of the settings.
        for printed in [String(describing: signedIn), String(reflecting: signedIn), String(describing: signedIn.credentials!)] {
            XCTAssertFalse(printed.contains("p@ss:wörd/1"), printed)
        }

        let refused: [(variables: [String: String], names: String)] = [
            (["SMTP_URL": "http://relay.example"], "SMTP_URL"),
            (["SMTP_URL": "smtp:relay.example"], "SMTP_URL"),
            (["SMTP_URL": "smtp://relay.example:0"], "SMTP_URL"),
            (["SMTP_URL": "smtp://relay.example/path"], "SMTP_URL"),
            (["SMTP_URL": "smtp://mailer@relay.example"], "SMTP_URL"),
            (["SMTP_URL": "smtp://relay.example", "SMTP_STARTTLS": "sometimes"], "SMTP_STARTTLS"),
            (["SMTP_URL": "smtps://relay.example", "SMTP_STARTTLS": "required"], "SMTP_STARTTLS"),
            // Never a password without TLS to carry it.
            (["SMTP_URL": "smtp://u:p@relay.example", "SMTP_STARTTLS": "off"], "SMTP_STARTTLS"),
            (["SMTP_URL": "smtp://u:p@relay.example", "SMTP_STARTTLS": "opportunistic"], "SMTP_STARTTLS"),
            (["SMTP_URL": "smtp://u:p@relay.example", "SMTP_USERNAME": "v"], "SMTP_USERNAME"),
            (["SMTP_URL": "smtp://relay.example", "SMTP_USERNAME": "mailer"], "SMTP_PASSWORD"),
            (["SMTP_URL": "smtp://relay.example", "SMTP_PASSWORD": "s3cret"], "SMTP_USERNAME"),
            (["SMTP_URL": "smtp://relay.example", "SMTP_USERNAME": "u", "SMTP_PASSWORD": "p", "SMTP_PASSWORD_FILE": "/etc/hostname"], "SMTP_PASSWORD_FILE"),
            (["SMTP_URL": "smtp://relay.example", "SMTP_USERNAME": "u", "SMTP_PASSWORD_FILE": "/nonexistent/smtp-password"], "SMTP_PASSWORD_FILE"),
            (["SMTP_URL": "smtp://relay.example", "SMTP_CA_FILE": "/nonexistent/ca.pem"], "SMTP_CA_FILE"),
            (["SMTP_URL": "smtp://relay.example", "SMTP_CA_FILE": "/etc/hostname"], "SMTP_CA_FILE"),
            (["SMTP_URL": "smtp://relay.example", "SMTP_TIMEOUT_SECONDS": "0"], "SMTP_TIMEOUT_SECONDS"),
            (["SMTP_URL": "smtp://relay.example", "SMTP_TIMEOUT_SECONDS": "thirty"], "SMTP_TIMEOUT_SECONDS"),
            (["SMTP_USERNAME": "mailer"], "SMTP_USERNAME"),
        ]
        for (variables, name) in refused {
            XCTAssertThrowsError(try settings(variables), "\(variables)") { error in
                XCTAssertEqual((error as? ConfigurationError)?.variable, name, "\(variables)")
                // A refusal never repeats a password it was given.
                XCTAssertFalse(String(describing: error).contains(":p@"), "\(error)")
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

    func testTrustedProxiesAreIPAddressesOrAnError() throws {
        XCTAssertEqual(try settings([:]).trustedProxies, [], "unset: no X-Forwarded-For is believed")
        XCTAssertEqual(try settings(["ONECARD_TRUSTED_PROXIES": "127.0.0.1, ::1"]).trustedProxies, ["127.0.0.1", "::1"])
        for garbage in ["localhost", "10.0.0.0/8", "127.0.0.1,proxy"] {
            XCTAssertThrowsError(try settings(["ONECARD_TRUSTED_PROXIES": garbage]), garbage) { error in
                XCTAssertEqual((error as? ConfigurationError)?.variable, "ONECARD_TRUSTED_PROXIES", garbage)
            }
        }
    }

    /// Issue #13 item 3: the bcrypt cost and the hashing queue's limit, OWASP's minimum cost as the floor.
    func testPasswordHashCostAndQueueLimit() throws {
        let defaults = try settings([:])
        XCTAssertEqual(defaults.bcryptCost, 10, "unset: OWASP's minimum for bcrypt")
        XCTAssertEqual(defaults.passwordHashQueueLimit, 32)
        let set = try settings(["ONECARD_PASSWORD_HASH_COST": "12", "ONECARD_PASSWORD_HASH_QUEUE": "0"])
        XCTAssertEqual(set.bcryptCost, 12)
        XCTAssertEqual(set.passwordHashQueueLimit, 0)
        for (name, garbage) in [("ONECARD_PASSWORD_HASH_COST", "9"), ("ONECARD_PASSWORD_HASH_COST", "17"), ("ONECARD_PASSWORD_HASH_COST", "ten"),
                                ("ONECARD_PASSWORD_HASH_QUEUE", "-1"), ("ONECARD_PASSWORD_HASH_QUEUE", "many")] {
            XCTAssertThrowsError(try settings([name: garbage]), garbage) { error in
                XCTAssertEqual((error as? ConfigurationError)?.variable, name, garbage)
            }
        }
    }
}
