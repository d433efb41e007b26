import Fluent
import OneCardDomain
import Vapor

/// `POST /api/v1/card-applications` for kiosks and apps: the web form's fields and rules, as JSON.
struct CardApplicationsAPIController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.grouped(APIClientAuthenticator(scope: .cardApplications)).post(.apiCardApplications, maximumBytes: .json, use: create)
    }

    @Sendable
    func create(req: Request) async throws -> Response {
        let client = try req.requireAPIClient()
        // Only JSON is read (Vapor would also decode a urlencoded form, which the document does not offer).
        guard req.headers.contentType == .json else { throw RequestRefusal.jsonRequired }
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
            // The statements a missing consent names, by their titles in the answer's language: `acceptedConsents`
            // takes codes, but `message` is for a person (a kiosk may show it).
            let required = errors.contains { $0.code == "consent_required" }
                ? req.application.localizer.consentTitles(try await CardApplicationConsents(database: req.db, now: req.now).current(), in: req.locale)
                : ""
            let dto = FieldErrorsDTO(errors: errors.map {
                FieldErrorDTO(field: $0.field, code: $0.code, message: req.t("apply.error.\($0.code)",
                                                                             messageValues(for: $0, in: body, requiredConsents: required)))
            })
            return try await dto.encodeResponse(status: .unprocessableEntity, for: req)
        }
    }

    /// The codes a refusal names: which of the client's values are unknown, and which are known.
    private func messageValues(for error: FieldError, in body: CardApplicationRequestDTO, requiredConsents: String) -> [String: String] {
        if error.code == "consent_required" { return ["documents": requiredConsents] }
        let (sent, known): ([String], [String]) = switch error.code {
        case "partner_link_unknown": (body.partnerLinks ?? [], CardApplicationRules.linkablePartners)
        case "consent_unknown":
            (body.acceptedConsents ?? [], CardApplicationService.apiConsentCodes(required: CardApplicationController.consentCodes))
        default: ([], [])
        }
        guard !known.isEmpty else { return [:] }
        return ["values": sent.filter { !known.contains($0) }.joined(separator: ", "), "known": known.joined(separator: ", ")]
    }
}
