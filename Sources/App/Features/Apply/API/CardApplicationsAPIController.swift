import Fluent
import OneCardDomain
import Vapor

/// `POST /api/v1/card-applications` for kiosks and apps: the web form's fields and rules, as JSON.
struct CardApplicationsAPIController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.grouped(APIClientAuthenticator()).post(.apiCardApplications, maximumBytes: .json, use: create)
    }

    @Sendable
    func create(req: Request) async throws -> Response {
        let client = try req.requireAPIClient()
        let body = try req.content.decode(CardApplicationRequestDTO.self)
        let locale = body.locale.flatMap(SiteLocale.init(tag:)) ?? req.locale
        do {
            let submitted = try await req.cardApplications.submit(
                body.toInput(), acceptedConsents: body.acceptedConsents ?? [], requiredConsents: CardApplicationController.consentCodes,
                client: client, locale: locale, ipAddress: req.clientAddress)
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
