import Fluent
import Vapor

/// The consortium administrator's pages for relying parties: list, register, disable, new secret, and how a
/// client's ID tokens are signed and whether it may introspect every client's tokens.
struct OIDCClientsController: RouteCollection {
    static let roles: Set<StaffMember.Role> = [.consortiumAdmin]

    func boot(routes: any RoutesBuilder) throws {
        routes.get(.staffOIDCClients, use: index)
        routes.post(.staffOIDCClients, maximumBytes: .form, use: create)
        routes.post(.staffOIDCClientDisable(clientID: .key), maximumBytes: .form, use: disable)
        routes.post(.staffOIDCClientSecret(clientID: .key), maximumBytes: .form, use: rotateSecret)
        routes.post(.staffOIDCClientSettings(clientID: .key), maximumBytes: .form, use: settings)
    }

    struct CreateForm: Content {
        var clientID: String?
        var name: String?
        var homePage: String?
        var redirectURIs: String?
        var scopes: [String]?
        var libraries: [String]?
        var allDigitalCards: String?
        var kind: String?
        var idTokenAlg: String?
        var introspectsAnyToken: String?
    }

    /// A row's settings form: both fields are always sent (an unticked box sends nothing, which means no).
    struct SettingsForm: Content {
        var idTokenAlg: String?
        var introspectsAnyToken: String?
    }

    private func clients(_ req: Request) -> OIDCClients { OIDCClients(database: req.db, now: req.now) }

    @Sendable
    func index(req: Request) async throws -> Response {
        _ = try await req.requireStaff(Self.roles)
        return try await page(req, form: FormState(), checked: ["openid"], libraries: [])
    }

    @Sendable
    func create(req: Request) async throws -> Response {
        let staff = try await req.requireStaff(Self.roles)
        let form = try req.content.decode(CreateForm.self)
        let registration = OIDCClientRegistration(
            clientID: form.clientID ?? "", name: form.name ?? "", homePage: (form.homePage ?? "").trimmingCharacters(in: .whitespaces),
            redirectURIs: (form.redirectURIs ?? "").components(separatedBy: .newlines), scopes: form.scopes ?? [],
            libraryCodes: form.libraries ?? [], allDigitalCards: form.allDigitalCards == "yes", confidential: form.kind != "public",
            introspectsAnyToken: form.introspectsAnyToken == "yes", idTokenAlgorithm: form.idTokenAlg ?? OIDCSigningAlgorithm.es256.rawValue)
        do {
            let (client, secret) = try await clients(req).create(registration, by: .staff(staff.requireID(), ipAddress: req.clientAddress))
            return try await page(req, form: FormState(), checked: ["openid"], libraries: [],
                                  newSecret: .init(clientID: client.clientID, secret: secret), status: .created)
        } catch let error as OIDCClientError {
            var state = FormState(values: ["clientID": registration.clientID, "name": registration.name, "homePage": registration.homePage,
                                           "redirectURIs": form.redirectURIs ?? "", "kind": form.kind ?? "confidential",
                                           "allDigitalCards": form.allDigitalCards ?? "", "idTokenAlg": registration.idTokenAlgorithm,
                                           "introspectsAnyToken": form.introspectsAnyToken ?? ""])
            state.errors["form"] = req.t(error.messageKey, error.messageValues)
            return try await page(req, form: state, checked: Set(registration.scopes + ["openid"]), libraries: Set(registration.libraryCodes),
                                  status: .unprocessableEntity)
        }
    }

    @Sendable
    func disable(req: Request) async throws -> Response {
        let staff = try await req.requireStaff(Self.roles)
        let clientID = try req.parameters.require("clientID")
        try await clients(req).disable(clientID: clientID, by: .staff(staff.requireID(), ipAddress: req.clientAddress))
        return try await page(req, form: FormState(), checked: ["openid"], libraries: [], disabled: clientID)
    }

    @Sendable
    func rotateSecret(req: Request) async throws -> Response {
        let staff = try await req.requireStaff(Self.roles)
        let clientID = try req.parameters.require("clientID")
        let secret = try await clients(req).rotateSecret(clientID: clientID, by: .staff(staff.requireID(), ipAddress: req.clientAddress))
        return try await page(req, form: FormState(), checked: ["openid"], libraries: [], newSecret: .init(clientID: clientID, secret: secret))
    }

    @Sendable
    func settings(req: Request) async throws -> Response {
        let staff = try await req.requireStaff(Self.roles)
        let clientID = try req.parameters.require("clientID")
        let form = try req.content.decode(SettingsForm.self)
        do {
            try await clients(req).update(clientID: clientID, idTokenAlgorithm: form.idTokenAlg ?? "",
                                          introspectsAnyToken: form.introspectsAnyToken == "yes",
                                          by: .staff(staff.requireID(), ipAddress: req.clientAddress))
        } catch OIDCClientError.idTokenAlgorithmInvalid {
            var state = FormState()
            state.errors["form"] = req.t(OIDCClientError.idTokenAlgorithmInvalid.messageKey)
            return try await page(req, form: state, checked: ["openid"], libraries: [], status: .unprocessableEntity)
        }
        return try await page(req, form: FormState(), checked: ["openid"], libraries: [], changed: clientID)
    }

    private func page(_ req: Request, form: FormState, checked: Set<String>, libraries chosen: Set<String>,
                      newSecret: OIDCClientsPage.NewSecret? = nil, disabled: String? = nil, changed: String? = nil,
                      status: HTTPResponseStatus = .ok) async throws -> Response {
        let libraries = try await Library.query(on: req.db).sort(\.$position).all()
        let rows = try await clients(req).list().map { client in
            OIDCClientsPage.Row(
                clientID: client.clientID, name: client.name, confidential: client.isConfidential, disabled: client.disabledAt != nil,
                scopes: client.scopesText,
                readers: (client.libraryCodes + (client.allDigitalCards ? [req.t("oidc.clients.all_digital_cards")] : [])).joined(separator: "、"),
                redirectURIs: client.redirectURIs, idTokenAlgorithm: client.idTokenAlgorithm.rawValue,
                introspectsAnyToken: client.introspectsAnyToken,
                disablePath: SiteURL.staffOIDCClientDisable(clientID: .value(client.clientID)).path,
                secretPath: SiteURL.staffOIDCClientSecret(clientID: .value(client.clientID)).path,
                settingsPath: SiteURL.staffOIDCClientSettings(clientID: .value(client.clientID)).path)
        }
        let page = OIDCClientsPage(
            rows: rows,
            libraries: libraries.map { .init(value: $0.code, label: "\($0.code) \($0.name(in: req.locale))", checked: chosen.contains($0.code)) },
            scopes: OIDCScope.allCases.map { .init(value: $0.rawValue, label: "\($0.rawValue): \(req.t($0.messageKey))", checked: checked.contains($0.rawValue)) },
            algorithms: OIDCSigningAlgorithm.allCases.map(\.rawValue), form: form, newSecret: newSecret, disabled: disabled,
            changed: changed)
        return try await req.view.render("staff/oidc-clients", page).encodeResponse(status: status, for: req)
    }
}
