import Fluent
import Foundation
import SQLKit
import XCTVapor
@testable import App

/// Issue #15 item 4: API clients have explicit scopes; a token outside its scopes gets 403
/// `insufficient_scope` before anything it sent is looked at.
final class APIScopeTests: XCTestCase {
    func testAPartnerTokenCannotSubmitApplicationsNorProbeWhoIsRegistered() async throws {
        try await withTestApp { app in
            try await activateCard(app, try await submitApplication(app, idNumber: "A123456789"))
            let partner = try await APIClients.create(name: "NTPL ILS", libraryCode: "NTPL", scopes: [.partnerLookup], database: app.db,
                                                      now: app.clock.now())
            var headers: HTTPHeaders = ["Content-Type": "application/json"]
            headers.bearerAuthorization = .init(token: partner)
            let registered = try await app.testable().sendRequest(.POST, "/api/v1/card-applications", headers: headers,
                                                                 body: CardApplicationAPITests.body(idNumber: "A123456789"))
            let unregistered = try await app.testable().sendRequest(.POST, "/api/v1/card-applications", headers: headers,
                                                                   body: CardApplicationAPITests.body(idNumber: "F234567898"))
            XCTAssertEqual(registered.status, .forbidden, "not 409 already_registered: a partner cannot ask who holds a card")
            let error = try registered.content.decode(APIErrorDTO.self)
            XCTAssertEqual(error.code, "insufficient_scope")
            XCTAssertTrue(error.message.contains("card-applications"), error.message)
            XCTAssertEqual(registered.headers.first(name: "WWW-Authenticate"), #"Bearer error="insufficient_scope", scope="card-applications""#)
            XCTAssertEqual(unregistered.status, .forbidden)
            XCTAssertEqual(unregistered.body.string, registered.body.string, "the same answer whoever the ID number is")
            let patrons = try await Patron.query(on: app.db).count()
            XCTAssertEqual(patrons, 1, "nothing was written")
            let refusals = try await AuditEvent.query(on: app.db).filter(\.$actorType == "api_client").count()
            XCTAssertEqual(refusals, 0, "the body was never read, so no application was even refused")
        }
    }

    func testAKioskTokenCannotReadPartnerLookupsAndEachRouteTakesItsOwnScope() async throws {
        try await withTestApp { app in
            let patron = try await activateCard(app, try await submitApplication(app))
            let kiosk = try await APIClients.create(name: "Kiosk", libraryCode: "TPML", scopes: [.cardApplications], database: app.db,
                                                    now: app.clock.now())
            let both = try await APIClients.create(name: "TPML ILS", libraryCode: "TPML", scopes: [.cardApplications, .partnerLookup],
                                                   database: app.db, now: app.clock.now())
            let path = "/api/v1/partners/TPML/patrons/\(patron.cardNumber!)"
            var headers = HTTPHeaders()
            headers.bearerAuthorization = .init(token: kiosk)
            let refused = try await app.testable().sendRequest(.GET, path, headers: headers)
            XCTAssertEqual(refused.status, .forbidden)
            XCTAssertEqual(try refused.content.decode(APIErrorDTO.self).code, "insufficient_scope")
            XCTAssertFalse(refused.body.string.contains(patron.cardNumber!))
            let lookups = try await AuditEvent.query(on: app.db).filter(\.$action == "patron.partner_lookup").count()
            XCTAssertEqual(lookups, 0)
            headers.bearerAuthorization = .init(token: both)
            let allowed = try await app.testable().sendRequest(.GET, path, headers: headers)
            XCTAssertEqual(allowed.status, .ok)
        }
    }

    /// Existing clients keep what their kind needed: read from what each has done.
    func testTheMigrationGivesExistingClientsTheScopesTheirHistoryShows() async throws {
        try await withTestApp { app in
            let library = try await Library.require(code: "TPML", on: app.db)
            var ids: [String: UUID] = [:]
            for name in ["kiosk", "partner", "prober", "unused", "both"] {
                let client = APIClient(name: name, libraryID: try library.requireID(), tokenHash: name, scopes: [.patronAuthentication],
                                       createdAt: app.clock.now())
                try await client.create(on: app.db)
                ids[name] = client.id!
            }
            func used(_ name: String, _ action: String) async throws {
                try await AuditTrail.record(action, by: AuditActor(type: "api_client", id: ids[name]!.uuidString, ipAddress: nil),
                                            at: app.clock.now(), on: app.db)
            }
            try await used("kiosk", "card_application.submitted")
            try await used("partner", "patron.partner_lookup")
            try await used("prober", "patron.partner_lookup")
            try await used("prober", "card_application.duplicate")
            try await used("both", "patron.partner_lookup")
            try await used("both", "card_application.submitted")
            try await AddScopesToAPIClients.backfill(on: app.db)

            let scopes = Dictionary(uniqueKeysWithValues: try await APIClient.query(on: app.db).all().map { ($0.name, $0.scopes) })
            XCTAssertEqual(scopes["kiosk"], [.cardApplications])
            XCTAssertEqual(scopes["partner"], [.partnerLookup])
            XCTAssertEqual(scopes["prober"], [.partnerLookup], "409s are no submissions: the prober loses card applications")
            XCTAssertEqual(scopes["unused"], [.cardApplications, .partnerLookup], "no history: what it could do before")
            XCTAssertEqual(scopes["both"], [.cardApplications, .partnerLookup])
            let alternate = try await APIClient.query(on: app.db).filter(\.$acceptsAlternateIdentifiers == true).count()
            XCTAssertEqual(alternate, 0)
        }
    }
}
