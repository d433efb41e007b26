import Fluent
import Foundation
import OneCardDomain
import XCTVapor
@testable import App

/// The API answers what `openapi.json` says, status by status, and the document's request schema says
/// what the server enforces.
final class APIContractTests: XCTestCase {
    private func post(_ app: Application, token: String?, contentType: String?, body: String,
                      language: String = "zh-TW") async throws -> XCTHTTPResponse {
        var headers: HTTPHeaders = ["Accept-Language": language]
        if let contentType { headers.replaceOrAdd(name: .contentType, value: contentType) }
        if let token { headers.bearerAuthorization = .init(token: token) }
        return try await app.testable().sendRequest(.POST, "/api/v1/card-applications", headers: headers, body: ByteBuffer(string: body))
    }

    private func json(_ extra: [String: Any]) -> String {
        String(buffer: CardApplicationAPITests.body(extra: extra))
    }

    private func document(_ app: Application) async throws -> [String: Any] {
        let response = try await TestBrowser(app).get("/api/openapi.json")
        return try XCTUnwrap(JSONSerialization.jsonObject(with: Data(response.text.utf8)) as? [String: Any])
    }

    func testAKnownPathAskedWithAnotherMethodIs405WithAllow() async throws {
        try await withTestApp { app in
            let api = try await app.testable().sendRequest(.DELETE, "/api/v1/card-applications", headers: ["Accept-Language": "en"])
            XCTAssertEqual(api.status, .methodNotAllowed)
            XCTAssertEqual(api.headers.first(name: "Allow"), "POST")
            let error = try api.content.decode(APIErrorDTO.self)
            XCTAssertEqual(error.code, "method_not_allowed")
            XCTAssertEqual(error.message, "This address does not accept this kind of request.")

            let get = try await app.testable().sendRequest(.GET, "/api/v1/card-applications")
            XCTAssertEqual(get.status, .methodNotAllowed)
            let libraries = try await app.testable().sendRequest(.POST, "/api/v1/libraries/TPML")
            XCTAssertEqual(libraries.status, .methodNotAllowed)
            XCTAssertEqual(libraries.headers.first(name: "Allow"), "GET, HEAD")
            let patron = try await app.testable().sendRequest(.PUT, "/api/v1/partners/NTPL/patrons/1234567890123")
            XCTAssertEqual(patron.status, .methodNotAllowed)

            // A page: the localized error page, with the same header.
            let page = try await app.testable().sendRequest(.PUT, SiteURL.service(.signIn).path)
            XCTAssertEqual(page.status, .methodNotAllowed)
            XCTAssertEqual(page.headers.first(name: "Allow"), "GET, HEAD, POST")
            XCTAssertTrue(page.body.string.contains("此網址不接受這種要求。"))
            let healthz = try await app.testable().sendRequest(.POST, "/healthz")
            XCTAssertEqual(healthz.status, .methodNotAllowed)
            XCTAssertEqual(healthz.headers.first(name: "Allow"), "GET, HEAD")

            // Unknown paths are still 404, under the API and elsewhere.
            let unknown = try await app.testable().sendRequest(.DELETE, "/api/v1/nothing-here")
            XCTAssertEqual(unknown.status, .notFound)
            XCTAssertEqual(try unknown.content.decode(APIErrorDTO.self).code, "not_found")
            let unknownPage = try await app.testable().sendRequest(.GET, "/nothing-here")
            XCTAssertEqual(unknownPage.status, .notFound)
        }
    }

    func testABodyThatIsNotJSONIs415AndMalformedJSONIs400() async throws {
        try await withTestApp { app in
            let token = try await APIClients.create(name: "Kiosk", libraryCode: "TPML", scopes: [.cardApplications], database: app.db, now: app.clock.now())
            let form = try await post(app, token: token, contentType: "application/x-www-form-urlencoded",
                                      body: "cardType=personal&documentKind=nationalID&idNumber=A123456789&name=x")
            XCTAssertEqual(form.status, .unsupportedMediaType)
            XCTAssertEqual(try form.content.decode(APIErrorDTO.self).code, "unsupported_media_type")
            let none = try await post(app, token: token, contentType: nil, body: json([:]))
            XCTAssertEqual(none.status, .unsupportedMediaType)

            let malformed = try await post(app, token: token, contentType: "application/json", body: #"{"name": "王"#)
            XCTAssertEqual(malformed.status, .badRequest)
            XCTAssertEqual(try malformed.content.decode(APIErrorDTO.self).code, "bad_request")
            let wrongType = try await post(app, token: token, contentType: "application/json; charset=utf-8", body: json(["name": 5]))
            XCTAssertEqual(wrongType.status, .badRequest)

            let count = try await Patron.query(on: app.db).count()
            XCTAssertEqual(count, 0)
        }
    }

    func testUnknownPartnerLinksAndConsentsAreRefusedNamingTheValue() async throws {
        try await withTestApp { app in
            let token = try await APIClients.create(name: "Kiosk", libraryCode: "TPML", scopes: [.cardApplications], database: app.db, now: app.clock.now())
            let links = try await post(app, token: token, contentType: "application/json", body: json([
                "partnerLinks": ["NTPL", "XYZL"], "acceptedConsents": ["TPML_PRIVACY", "TAIPEI_CITY_ID", "NTPL_LINK"],
            ]), language: "en")
            XCTAssertEqual(links.status, .unprocessableEntity)
            let linkErrors = try links.content.decode(FieldErrorsDTO.self).errors
            XCTAssertEqual(linkErrors.map(\.field), ["partnerLinks"])
            XCTAssertEqual(linkErrors.first?.code, "partner_link_unknown")
            XCTAssertEqual(linkErrors.first?.message,
                           "Unknown partner service in partnerLinks: XYZL. The services that can be linked are NTPL, KLPL.")

            let consents = try await post(app, token: token, contentType: "application/json", body: json([
                "acceptedConsents": ["TPML_PRIVACY", "TAIPEI_CITY_ID", "TPML_MARKETING"],
            ]))
            XCTAssertEqual(consents.status, .unprocessableEntity)
            let consentErrors = try consents.content.decode(FieldErrorsDTO.self).errors
            XCTAssertEqual(consentErrors.map(\.code), ["consent_unknown"])
            XCTAssertTrue(consentErrors[0].message.contains("TPML_MARKETING"), consentErrors[0].message)

            let count = try await Patron.query(on: app.db).count()
            XCTAssertEqual(count, 0, "nothing is stored, and no link is silently dropped")
            let links2 = try await PartnerLink.query(on: app.db).count()
            XCTAssertEqual(links2, 0)
        }
    }

    func testEveryOperationDocumentsTheStatusesTheServerAnswers() async throws {
        try await withTestApp { app in
            let document = try await document(app)
            let paths = try XCTUnwrap(document["paths"] as? [String: [String: [String: Any]]])
            for (path, operations) in paths {
                for (method, operation) in operations {
                    let responses = try XCTUnwrap(operation["responses"] as? [String: Any])
                    XCTAssertNotNil(responses["405"], "\(method) \(path) documents 405")
                }
            }
            let create = try XCTUnwrap(paths["/api/v1/card-applications"]?["post"]?["responses"] as? [String: Any])
            XCTAssertEqual(Set(create.keys), ["201", "400", "401", "403", "405", "409", "413", "415", "422", "429"])
        }
    }

    func testTheRequestSchemaSaysWhatTheServerEnforces() async throws {
        try await withTestApp { app in
            let document = try await document(app)
            let schemas = try XCTUnwrap((document["components"] as? [String: Any])?["schemas"] as? [String: Any])
            let request = try XCTUnwrap(schemas["CardApplicationRequest"] as? [String: Any])
            let properties = try XCTUnwrap(request["properties"] as? [String: [String: Any]])
            XCTAssertEqual(properties["idNumber"]?["minLength"] as? Int, 1)
            XCTAssertEqual(properties["name"]?["minLength"] as? Int, 1)
            XCTAssertEqual(properties["name"]?["maxLength"] as? Int, 60)
            XCTAssertEqual(properties["acceptedConsents"]?["minItems"] as? Int, CardApplicationConsents.codes.count)
            let consentItems = try XCTUnwrap(properties["acceptedConsents"]?["items"] as? [String: Any])
            XCTAssertEqual(consentItems["enum"] as? [String], CardApplicationService.apiConsentCodes(required: CardApplicationConsents.codes))
            let required = (properties["acceptedConsents"]?["allOf"] as? [[String: [String: String]]])?.compactMap { $0["contains"]?["const"] }
            XCTAssertEqual(required, CardApplicationConsents.codes)
            let linkItems = try XCTUnwrap(properties["partnerLinks"]?["items"] as? [String: Any])
            XCTAssertEqual(linkItems["enum"] as? [String], CardApplicationRules.linkablePartners)
            let password = try XCTUnwrap(properties["password"])
            XCTAssertEqual(password["minLength"] as? Int, PasswordPolicy.lengths.lowerBound)
            XCTAssertEqual(password["maxLength"] as? Int, PasswordPolicy.lengths.upperBound)

            // And the server does what the schema says: an empty name or idNumber, or too few consents, is the
            // documented 422 with the FieldErrors shape.
            let token = try await APIClients.create(name: "Kiosk", libraryCode: "TPML", scopes: [.cardApplications], database: app.db, now: app.clock.now())
            let fieldErrors = try XCTUnwrap(schemas["FieldErrors"] as? [String: Any])
            let itemKeys = try XCTUnwrap(((fieldErrors["properties"] as? [String: Any])?["errors"] as? [String: Any])?["items"] as? [String: Any])
            let requiredKeys = try XCTUnwrap(itemKeys["required"] as? [String])
            for (extra, field, code) in [(["name": ""], "name", "name_required"), (["idNumber": " "], "idNumber", "id_empty"),
                                         (["acceptedConsents": ["TPML_PRIVACY"]], "acceptedConsents", "consent_required")] as [([String: Any], String, String)] {
                let response = try await post(app, token: token, contentType: "application/json", body: json(extra))
                XCTAssertEqual(response.status, .unprocessableEntity, "\(extra)")
                let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(response.body.string.utf8)) as? [String: [[String: String]]])
                let errors = try XCTUnwrap(object["errors"])
                XCTAssertTrue(errors.contains { $0["field"] == field && $0["code"] == code }, "\(errors)")
                XCTAssertTrue(errors.allSatisfy { Set($0.keys) == Set(requiredKeys) })
            }
        }
    }
}
