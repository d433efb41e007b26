import Fluent
import Foundation
import XCTVapor
@testable import App

/// INTERFACES.md: `GET /api/v1/partners/{code}/patrons/{cardNumber}` answers a partner's system only
/// about its own or linked patrons; otherwise 404 with no hint.
final class PartnerPatronsAPITests: XCTestCase {
    func get(_ app: Application, _ path: String, token: String?) async throws -> XCTHTTPResponse {
        var headers = HTTPHeaders()
        if let token { headers.bearerAuthorization = .init(token: token) }
        return try await app.testable().sendRequest(.GET, path, headers: headers)
    }

    func testAPartnerSeesOnlyPatronsWhoLinkedItAndNothingPersonal() async throws {
        try await withTestApp { app in
            let linked = try await activateCard(app, try await submitApplication(app, links: ["NTPL"]))
            let unlinked = try await activateCard(app, try await submitApplication(app, idNumber: "F234567898"))
            let newTaipei = try await APIClients.create(name: "NTPL ILS", libraryCode: "NTPL", scopes: [.partnerLookup], database: app.db, now: app.clock.now())
            let taipei = try await APIClients.create(name: "TPML ILS", libraryCode: "TPML", scopes: [.partnerLookup], database: app.db, now: app.clock.now())

            let ok = try await get(app, "/api/v1/partners/NTPL/patrons/\(linked.cardNumber!)", token: newTaipei)
            XCTAssertEqual(ok.status, .ok)
            let dto = try ok.content.decode(PartnerPatronDTO.self)
            XCTAssertEqual(dto.cardNumber, linked.cardNumber)
            XCTAssertEqual(dto.status, "active")
            XCTAssertTrue(dto.valid)
            XCTAssertTrue(dto.mayBorrow)
            XCTAssertEqual(dto.homeLibrary, "TPML")
            XCTAssertFalse(ok.body.string.contains("王小明") || ok.body.string.contains("A123456789") || ok.body.string.contains("@"))

            let notLinked = try await get(app, "/api/v1/partners/NTPL/patrons/\(unlinked.cardNumber!)", token: newTaipei)
            let unknown = try await get(app, "/api/v1/partners/NTPL/patrons/1001000009999", token: newTaipei)
            let malformed = try await get(app, "/api/v1/partners/NTPL/patrons/1001000000016", token: newTaipei)
            let otherPartner = try await get(app, "/api/v1/partners/NTPL/patrons/\(linked.cardNumber!)", token: taipei)
            for response in [notLinked, unknown, malformed, otherPartner] {
                XCTAssertEqual(response.status, .notFound)
                XCTAssertEqual(response.body.string, notLinked.body.string, "every refusal looks the same")
            }
            let own = try await get(app, "/api/v1/partners/TPML/patrons/\(unlinked.cardNumber!)", token: taipei)
            XCTAssertEqual(own.status, .ok, "a library's own patrons")
            let anonymous = try await get(app, "/api/v1/partners/NTPL/patrons/\(linked.cardNumber!)", token: nil)
            XCTAssertEqual(anonymous.status, .unauthorized)

            linked.cardKind = .digital
            try await linked.save(on: app.db)
            let digital = try await get(app, "/api/v1/partners/NTPL/patrons/\(linked.cardNumber!)", token: newTaipei)
            XCTAssertFalse(try digital.content.decode(PartnerPatronDTO.self).mayBorrow)
            let audited = try await AuditEvent.query(on: app.db).filter(\.$action == "patron.partner_lookup").count()
            XCTAssertEqual(audited, 3)
        }
    }
}
