import Foundation
import XCTVapor
@testable import App

final class OperationsTests: XCTestCase {
    func testHealthzAnswersOKWhenTheDatabaseAnswers() async throws {
        try await withTestApp { app in
            let response = try await TestBrowser(app).get("/healthz")
            XCTAssertEqual(response.status, .ok)
            XCTAssertEqual(try response.content.decode(HealthDTO.self).status, "ok")
        }
    }

    func testHealthzAnswers503WhenTheDatabaseDoesNot() async throws {
        // A PostgreSQL server nobody listens for: configure succeeds, the first query fails.
        let app = try await Application.make(.testing)
        let settings = OneCardSettings(
            dataDirectory: NSTemporaryDirectory() + "onecard-test-\(UUID().uuidString)",
            database: .postgres("postgres://nobody:nothing@127.0.0.1:9/none"),
            migratesOnBoot: false, runsBackgroundWorkers: false, bcryptCost: 10
        )
        try await configure(app, settings: settings)
        let response = try await app.testable().sendRequest(.GET, "/healthz")
        XCTAssertEqual(response.status, .serviceUnavailable)
        XCTAssertEqual(try response.content.decode(HealthDTO.self).status, "unavailable")
        try await app.asyncShutdown()
    }

    /// Issue #13 item 1: probes that arrive together are all answered (they share one check in flight).
    func testConcurrentProbesAreAllAnswered() async throws {
        try await withTestApp { app in
            let statuses = try await withThrowingTaskGroup(of: HTTPStatus.self) { group in
                for _ in 1...32 { group.addTask { try await app.testable().sendRequest(.GET, "/healthz").status } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            XCTAssertEqual(statuses, Array(repeating: .ok, count: 32))
            let after = try await app.testable().sendRequest(.GET, "/healthz")
            XCTAssertEqual(after.status, .ok, "a probe after the burst starts a check of its own")
        }
    }

    /// Issue #13 item 1: a database that accepts connections and then says nothing makes `/healthz` 503 (within
    /// `DatabaseHealth.limit`, not whenever the pool gives up), and probes arriving while its check is in
    /// flight wait for that check: one connection to the database for all of them.
    func testProbesShareTheCheckInFlightAndADatabaseThatStopsAnsweringIs503() async throws {
        let silent = try await SilentServer.start()
        let app = try await Application.make(.testing)
        let settings = OneCardSettings(
            dataDirectory: NSTemporaryDirectory() + "onecard-test-\(UUID().uuidString)",
            database: .postgres("postgres://nobody:nothing@127.0.0.1:\(silent.port)/none"),
            migratesOnBoot: false, runsBackgroundWorkers: false, bcryptCost: 10
        )
        try await configure(app, settings: settings)
        let statuses = try await withThrowingTaskGroup(of: HTTPStatus.self) { group in
            for _ in 1...12 { group.addTask { try await app.testable().sendRequest(.GET, "/healthz").status } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        XCTAssertEqual(statuses, Array(repeating: .serviceUnavailable, count: 12))
        XCTAssertEqual(silent.accepted, 1, "the twelve probes shared one check")
        try await silent.stop()
        try await app.asyncShutdown()
    }

    func testMetricsCountRequestsByRoutePatternInPrometheusFormat() async throws {
        try await withTestApp { app in
            let browser = TestBrowser(app)
            try await browser.get("/api/v1/libraries/TPML")
            try await browser.get("/api/v1/libraries/NTPL")
            try await browser.get("/does-not-exist")
            let css = try await browser.get("/css/site.css")
            XCTAssertEqual(css.status, .ok)
            let response = try await browser.get("/metrics")
            XCTAssertEqual(response.status, .ok)
            XCTAssertEqual(response.headers.contentType?.type, "text")
            let text = response.text
            XCTAssertTrue(text.contains(#"http_requests_total{method="GET",route="/api/v1/libraries/:code",status="200"} 2"#), text)
            XCTAssertTrue(text.contains(#"http_requests_total{method="GET",route="unmatched",status="404"} 1"#), text)
            XCTAssertTrue(text.contains(#"http_requests_total{method="GET",route="static",status="200"} 1"#), text)
            XCTAssertTrue(text.contains("# TYPE http_request_duration_seconds histogram"))
            // Two timed requests for the pattern, both within the largest bucket.
            let durationLines = text.split(separator: "\n").filter {
                $0.hasPrefix("http_request_duration_seconds") && $0.contains(#"route="/api/v1/libraries/:code""#)
            }
            XCTAssertTrue(durationLines.contains { $0.hasPrefix("http_request_duration_seconds_count") && $0.hasSuffix(" 2") }, durationLines.joined(separator: "\n"))
            XCTAssertTrue(durationLines.contains { $0.contains(#"le="+Inf""#) && $0.hasSuffix(" 2") })
            XCTAssertTrue(durationLines.contains { $0.hasPrefix("http_request_duration_seconds_sum") })
            XCTAssertTrue(text.contains(#"onecard_outbox_messages{status="pending"} 0"#))
            XCTAssertFalse(text.contains("TPML"), "card numbers and codes in paths must not become label values")
        }
    }

    func testOpenAPIDocumentDescribesExactlyTheRoutesUnderAPIV1AndTheOpenIDConnectEndpoints() async throws {
        try await withTestApp { app in
            // #15 item 5: the OpenID Connect endpoints a relying party calls or sends a browser to.
            let openID = Set([SiteURL.oidcDiscovery, .oidcJWKS, .oidcAuthorize, .oidcToken, .oidcUserInfo, .oidcRevoke, .oidcIntrospect,
                              .oidcLogout].map(\.path))
            let response = try await TestBrowser(app).get("/api/openapi.json")
            XCTAssertEqual(response.status, .ok)
            let document = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(response.text.utf8)) as? [String: Any])
            XCTAssertEqual(document["openapi"] as? String, "3.1.0")
            let paths = try XCTUnwrap(document["paths"] as? [String: [String: Any]])
            var documented: Set<String> = []
            for (path, operations) in paths {
                for method in operations.keys { documented.insert("\(method.uppercased()) \(path)") }
            }
            let registered = Set(app.routes.all.compactMap { route -> String? in
                let path = "/" + route.path.map { component -> String in
                    if case .parameter(let name) = component { return "{\(name)}" }
                    return component.description
                }.joined(separator: "/")
                return path.hasPrefix("/api/v1/") || openID.contains(path) ? "\(route.method.rawValue) \(path)" : nil
            })
            XCTAssertFalse(registered.isEmpty)
            XCTAssertEqual(registered.subtracting(documented), [], "routes missing from openapi.json")
            XCTAssertEqual(documented.subtracting(registered), [], "openapi.json describes routes that do not exist")
        }
    }

    func testLibrariesAPIListsTheConsortiumWithDesksAndPartnerServicesInTheSeedsOrder() async throws {
        try await withTestApp { app in
            let response = try await TestBrowser(app).get("/api/v1/libraries")
            XCTAssertEqual(response.status, .ok)
            let libraries = try response.content.decode([LibraryDTO].self)
            XCTAssertEqual(libraries.map(\.code), ["TPML", "NTPL", "KLPL", "HCPL", "NLPI", "TCPL"])
            XCTAssertEqual(libraries.map(\.name.zhTW), SiteTests.libraryNamesZH)
            XCTAssertEqual(Set(libraries.map(\.cardPrefix)).count, 6, "every library has its own card prefix")
            let taipei = libraries[0]
            XCTAssertEqual(taipei.partnerServices.map(\.code), ["TAIPEI_PASS", "NTPL", "KLPL", "HCPL"])
            XCTAssertEqual(taipei.partnerServices.map(\.name.zhTW),
                           ["與台北通結合", "啟用新北市公共圖書館一證通用服務", "啟用基隆市公共圖書館一證通用服務", "啟用新竹縣公共圖書館一證通用服務"])
            XCTAssertEqual(taipei.partnerServices[0].kind, "city_account")
            XCTAssertNil(taipei.partnerServices[0].partnerLibrary)
            XCTAssertEqual(taipei.partnerServices[1].partnerLibrary, "NTPL")
            let nlpi = libraries[4]
            XCTAssertEqual(nlpi.desks.map(\.name.zhTW), ["總館", "黎明分館", "中興分館"])
            XCTAssertTrue(libraries.allSatisfy { !$0.desks.isEmpty })
        }
    }

    func testUnknownLibraryIsAJSON404() async throws {
        try await withTestApp { app in
            let response = try await TestBrowser(app).get("/api/v1/libraries/NOPE")
            XCTAssertEqual(response.status, .notFound)
            XCTAssertEqual(try response.content.decode(APIErrorDTO.self).code, "not_found")
        }
    }
}
