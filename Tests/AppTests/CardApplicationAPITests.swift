import Fluent
import Foundation
import OneCardDomain
import XCTVapor
@testable import App

final class CardApplicationAPITests: XCTestCase {
    static func body(idNumber: String = "A123456789", extra: [String: Any] = [:]) -> ByteBuffer {
        var object: [String: Any] = [
            "cardType": "personal", "documentKind": "nationalID", "idNumber": idNumber, "name": "王小明", "gender": "male",
            "birthDate": "1990-05-03", "password": "river lantern mango", "email": "wang@example.org",
            "acceptedConsents": ["TPML_PRIVACY", "TAIPEI_CITY_ID"],
        ]
        for (key, value) in extra { object[key] = value }
        return ByteBuffer(data: try! JSONSerialization.data(withJSONObject: object))
    }

    func post(_ app: Application, token: String?, body: ByteBuffer, language: String = "zh-TW") async throws -> XCTHTTPResponse {
        var headers: HTTPHeaders = ["Content-Type": "application/json", "Accept-Language": language]
        if let token { headers.bearerAuthorization = .init(token: token) }
        return try await app.testable().sendRequest(.POST, "/api/v1/card-applications", headers: headers, body: body)
    }

    func testWithoutAValidBearerTokenTheAPIAnswers401() async throws {
        try await withTestApp { app in
            let missing = try await post(app, token: nil, body: Self.body())
            XCTAssertEqual(missing.status, .unauthorized)
            XCTAssertEqual(try missing.content.decode(APIErrorDTO.self).code, "unauthorized")
            let wrong = try await post(app, token: "nope", body: Self.body())
            XCTAssertEqual(wrong.status, .unauthorized)
            let count = try await Patron.query(on: app.db).count()
            XCTAssertEqual(count, 0)
        }
    }

    func testAValidApplicationIsCreatedAndTheSamePersonAgainIsAConflict() async throws {
        try await withTestApp { app in
            let token = try await APIClients.create(name: "Kiosk", libraryCode: "TPML", scopes: [.cardApplications], database: app.db, now: app.clock.now())
            let created = try await post(app, token: token, body: Self.body(extra: ["partnerLinks": ["KLPL"], "acceptedConsents": ["TPML_PRIVACY", "TAIPEI_CITY_ID", "KLPL_LINK"]]))
            XCTAssertEqual(created.status, .created)
            let dto = try created.content.decode(CardApplicationCreatedDTO.self)
            XCTAssertTrue(dto.applicationNumber.hasPrefix("TPML-"))
            XCTAssertEqual(dto.status, "pending")
            XCTAssertTrue(dto.nextStep.contains("服務臺"))
            let consents = try await ConsentRecord.query(on: app.db).all()
            XCTAssertEqual(consents.count, 3)
            XCTAssertTrue(consents.allSatisfy { $0.channel == "api" })

            let again = try await post(app, token: token, body: Self.body(idNumber: "Ａ１２３４５６７８９"), language: "en")
            XCTAssertEqual(again.status, .conflict)
            let error = try again.content.decode(APIErrorDTO.self)
            XCTAssertEqual(error.code, "already_registered")
            XCTAssertEqual(error.message, "You already have a library card or an application in progress.")
        }
    }

    func testInvalidFieldsAnswer422WithFieldCodeAndMessage() async throws {
        try await withTestApp { app in
            let token = try await APIClients.create(name: "Kiosk", libraryCode: "TPML", scopes: [.cardApplications], database: app.db, now: app.clock.now())
            let response = try await post(app, token: token, body: Self.body(idNumber: "A123456788", extra: ["password": "short", "email": "x"]))
            XCTAssertEqual(response.status, .unprocessableEntity)
            let errors = try response.content.decode(FieldErrorsDTO.self).errors
            XCTAssertTrue(errors.contains { $0.field == "idNumber" && $0.code == "id_checksum" && $0.message == "身分證字號檢查碼錯誤，請再確認一次。" })
            XCTAssertTrue(errors.contains { $0.field == "password" && $0.code == "password_too_short" })
            XCTAssertTrue(errors.contains { $0.field == "email" && $0.code == "email_invalid" })
            let missingConsent = try await post(app, token: token, body: Self.body(extra: ["acceptedConsents": ["TPML_PRIVACY"]]))
            XCTAssertEqual(missingConsent.status, .unprocessableEntity)
            XCTAssertEqual(try missingConsent.content.decode(FieldErrorsDTO.self).errors.first?.code, "consent_required")
            let rejected = try await AuditEvent.query(on: app.db).filter(\.$action == "card_application.rejected").sort(\.$occurredAt).all()
            XCTAssertEqual(rejected.count, 2, "the missing consent is audited like the bad fields")
            XCTAssertTrue(rejected.contains { $0.details?.contains("acceptedConsents:consent_required") == true && $0.actorType == "api_client" })
            XCTAssertFalse(rejected.contains { $0.details?.contains("A123456789") == true }, "no ID number in the trail")
            let count = try await Patron.query(on: app.db).count()
            XCTAssertEqual(count, 0)
        }
    }

    func testControlCharactersInNamesAndEmailsAnswer422NamingTheField() async throws {
        try await withTestApp { app in
            let token = try await APIClients.create(name: "Kiosk", libraryCode: "TPML", scopes: [.cardApplications], database: app.db, now: app.clock.now())
            // #12 item 11: a U+001F in the head of household's name hid the household block at the desk.
            let family = try await post(app, token: token, body: Self.body(extra: [
                "cardType": "family", "householdNumber": "F1234567", "headOfHouseholdName": "陳\u{1F}大同",
                "headOfHouseholdIDNumber": "F234567898",
            ]))
            XCTAssertEqual(family.status, .unprocessableEntity)
            let familyErrors = try family.content.decode(FieldErrorsDTO.self).errors
            XCTAssertEqual(familyErrors.map(\.field), ["headOfHouseholdName"])
            XCTAssertEqual(familyErrors.first?.code, "head_name_invalid")
            XCTAssertTrue(familyErrors.first?.message.hasPrefix("戶長姓名不可超過 60 個字") == true, familyErrors.first?.message ?? "")
            let english = try await post(app, token: token, body: Self.body(extra: ["name": "Wang<script>"]), language: "en")
            XCTAssertEqual(try english.content.decode(FieldErrorsDTO.self).errors.first?.message.hasPrefix("The name can have at most 60 characters") , true)
            // Email addresses with NUL, ESC or DEL were accepted.
            for bad in ["wang\u{0}@example.org", "wang\u{1B}[31m@example.org", "wang@example.org\u{7F}", "wang @example.org"] {
                let response = try await post(app, token: token, body: Self.body(extra: ["email": bad]))
                XCTAssertEqual(response.status, .unprocessableEntity, bad.debugDescription)
                let errors = try response.content.decode(FieldErrorsDTO.self).errors
                XCTAssertEqual(errors.map(\.field), ["email"], bad.debugDescription)
                XCTAssertEqual(errors.first?.code, "email_invalid")
            }
            let count = try await Patron.query(on: app.db).count()
            XCTAssertEqual(count, 0)
        }
    }

    func testFortyParallelSubmissionsForOnePersonStoreExactlyOne() async throws {
        try await withTestApp { app in
            let token = try await APIClients.create(name: "Kiosk", libraryCode: "TPML", scopes: [.cardApplications], database: app.db, now: app.clock.now())
            let statuses = try await withThrowingTaskGroup(of: UInt.self) { group in
                for _ in 0..<40 {
                    group.addTask {
                        var headers: HTTPHeaders = ["Content-Type": "application/json"]
                        headers.bearerAuthorization = .init(token: token)
                        return try await app.testable().sendRequest(.POST, "/api/v1/card-applications", headers: headers, body: Self.body()).status.code
                    }
                }
                var all: [UInt] = []
                for try await status in group { all.append(status) }
                return all
            }
            XCTAssertEqual(statuses.filter { $0 == 201 }.count, 1, "\(statuses)")
            XCTAssertEqual(statuses.filter { $0 == 409 }.count, 39, "\(statuses)")
            // Every loser is audited, whether the early check or the unique index turned it away.
            let duplicates = try await AuditEvent.query(on: app.db).filter(\.$action == "card_application.duplicate").all()
            XCTAssertEqual(duplicates.count, 39)
            XCTAssertFalse(duplicates.contains { ($0.details ?? "").contains("A123456789") })
            let count = try await Patron.query(on: app.db).count()
            XCTAssertEqual(count, 1)
        }
    }
}
