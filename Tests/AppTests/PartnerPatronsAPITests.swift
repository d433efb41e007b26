import Fluent
import Foundation
import SQLKit
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

    /// Issue #13 item 1: clients are remembered by token hash, but a change saved in this process applies from
    /// the client's very next request: scopes, allowed addresses, a new token, disabling.
    func testAChangeOfTheClientAppliesFromItsNextLookupThoughClientsAreRemembered() async throws {
        try await withTestApp { app in
            let patron = try await activateCard(app, try await submitApplication(app))
            let path = "/api/v1/partners/TPML/patrons/\(patron.cardNumber!)"
            let token = try await APIClients.create(name: "TPML ILS", libraryCode: "TPML", scopes: [.partnerLookup], database: app.db,
                                                    now: app.clock.now())
            let id = try await XCTUnwrapAsync(try await APIClient.query(on: app.db).first()?.id).uuidString
            for _ in 1...2 {
                let remembered = try await get(app, path, token: token)
                XCTAssertEqual(remembered.status, .ok)
            }

            try await APIClients.update(id: id, scopes: [.cardApplications], alternateIdentifiers: nil, database: app.db, now: app.clock.now())
            let outOfScope = try await get(app, path, token: token)
            XCTAssertEqual(outOfScope.status, .forbidden, "scopes taken away apply at once")
            try await APIClients.update(id: id, scopes: [.partnerLookup], alternateIdentifiers: nil, database: app.db, now: app.clock.now())
            let inScope = try await get(app, path, token: token)
            XCTAssertEqual(inScope.status, .ok)

            try await APIClients.update(id: id, scopes: nil, alternateIdentifiers: nil, allowedAddresses: "10.0.0.0/8", database: app.db,
                                        now: app.clock.now())
            let elsewhere = try await get(app, path, token: token)
            XCTAssertEqual(elsewhere.status, .forbidden, "an address list applies at once")
            try await APIClients.update(id: id, scopes: nil, alternateIdentifiers: nil, allowedAddresses: "any", database: app.db,
                                        now: app.clock.now())
            let anywhere = try await get(app, path, token: token)
            XCTAssertEqual(anywhere.status, .ok)

            let newToken = try await APIClients.rotateToken(id: id, database: app.db, now: app.clock.now())
            let old = try await get(app, path, token: token)
            XCTAssertEqual(old.status, .unauthorized, "the old token stops at once")
            let new = try await get(app, path, token: newToken)
            XCTAssertEqual(new.status, .ok)

            try await APIClients.disable(id: id, database: app.db, now: app.clock.now())
            let disabled = try await get(app, path, token: newToken)
            XCTAssertEqual(disabled.status, .unauthorized, "a disabled client is refused at once")
        }
    }

    /// Issue #13 item 1: lookups' audit entries are written in groups, but each answer waits until its own entry
    /// is committed, and a lookup whose entry cannot be written is not answered.
    func testEachLookupIsAnsweredOnlyOnceItsAuditEntryIsCommitted() async throws {
        try await withTestApp { app in
            let patron = try await activateCard(app, try await submitApplication(app))
            let path = "/api/v1/partners/TPML/patrons/\(patron.cardNumber!)"
            let token = try await APIClients.create(name: "TPML ILS", libraryCode: "TPML", scopes: [.partnerLookup], database: app.db,
                                                    now: app.clock.now())
            func audited() async throws -> Int {
                try await AuditEvent.query(on: app.db).filter(\.$action == "patron.partner_lookup").count()
            }
            for answered in 1...10 {
                let response = try await get(app, path, token: token)
                XCTAssertEqual(response.status, .ok)
                let entries = try await audited()
                XCTAssertEqual(entries, answered, "the entry is in the database when the answer comes")
            }

            let statuses = try await withThrowingTaskGroup(of: (HTTPStatus, Int).self) { group in
                for _ in 1...40 {
                    group.addTask {
                        var headers = HTTPHeaders()
                        headers.bearerAuthorization = .init(token: token)
                        let status = try await app.testable().sendRequest(.GET, path, headers: headers).status
                        let entries = try await AuditEvent.query(on: app.db).filter(\.$action == "patron.partner_lookup").count()
                        return (status, entries)
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            XCTAssertEqual(statuses.filter { $0.0 == .ok }.count, 40)
            XCTAssertTrue(statuses.allSatisfy { $0.1 >= 11 }, "no answer before its entry")
            let entries = try await AuditEvent.query(on: app.db).filter(\.$action == "patron.partner_lookup").all()
            XCTAssertEqual(entries.count, 50)
            let client = try await XCTUnwrapAsync(try await APIClient.query(on: app.db).first())
            for entry in entries {
                XCTAssertEqual(entry.actorType, "api_client")
                XCTAssertEqual(entry.actorID, client.id?.uuidString)
                XCTAssertEqual(entry.subjectType, "patron")
                XCTAssertEqual(entry.subjectID, patron.id?.uuidString)
                XCTAssertEqual(entry.libraryID, client.$library.id)
                XCTAssertEqual(entry.occurredAt.timeIntervalSince1970, app.clock.now().timeIntervalSince1970, accuracy: 0.001)
            }

            // The trail cannot be written: the lookup is not answered.
            try await (app.db as! any SQLDatabase).raw("DROP TABLE \(ident: AuditEvent.schema)").run()
            let unaudited = try await get(app, path, token: token)
            XCTAssertEqual(unaudited.status, .internalServerError)
            XCTAssertFalse(unaudited.body.string.contains(patron.cardNumber!))
        }
    }
}
