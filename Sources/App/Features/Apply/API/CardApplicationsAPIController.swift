import Fluent
import OneCardDomain
import Vapor

/// `POST /api/v1/card-applications` for kiosks and apps: the web form's fields and rules, as JSON.
struct CardApplicationsAPIController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.grouped(APIClientAuthenticator()).post(.apiCardApplications, use: create)
    }

    @Sendable
    func create(req: Request) async throws -> Response {
        let client = try req.requireAPIClient()
        let body = try req.content.decode(CardApplicationRequestDTO.self)
        let accepted = Set(body.acceptedConsents ?? [])
        let missing = CardApplicationController.consentCodes.filter { !accepted.contains($0) }
        let locale = body.locale.flatMap(SiteLocale.init(tag:)) ?? req.locale
        var documents: [ConsentDocument] = []
        for code in CardApplicationController.consentCodes { documents.append(try await ConsentDocument.current(code, on: req.db)) }
        let library = try await client.$library.get(on: req.db)
        let service = req.cardApplications
        let actor = AuditActor(type: "api_client", id: client.id?.uuidString, ipAddress: req.clientAddress)
        do {
            guard missing.isEmpty else { try await service.rejectMissingConsents(actor: actor, channel: "api") }
            let submitted = try await service.submit(
                body.toInput(), libraryCode: library.code, consentedDocuments: documents, channel: "api",
                locale: locale, actor: actor, limits: .api(clientID: client.id))
            let created = CardApplicationCreatedDTO(
                applicationNumber: submitted.patron.applicationNumber, status: "pending", nextStep: req.t("apply.done.next_step"))
            return try await created.encodeResponse(status: .created, for: req)
        } catch CardApplicationError.invalid(let errors) {
            let dto = FieldErrorsDTO(errors: errors.map {
                FieldErrorDTO(field: $0.field, code: $0.code, message: req.t("apply.error.\($0.code)"))
            })
            return try await dto.encodeResponse(status: .unprocessableEntity, for: req)
        }
    }
}
