import Fluent
import Foundation

extension APIClientPage {
    /// The client if it is in the administrator's scope; "not found" otherwise, so another library's
    /// clients cannot even be confirmed.
    static func client(_ id: UUID?, scope: SystemsScope, database: any Database) async throws -> APIClient {
        guard let id, let client = try await APIClient.query(on: database).filter(\.$id == id).with(\.$library).first(),
              scope.admits(client.$library.id)
        else { throw SystemsError.notFound }
        return client
    }

    /// The page for the client, its form filled from what is stored unless `form` says otherwise.
    static func query(_ client: APIClient, form: FormState? = nil, translate: (String) -> String) -> APIClientPage {
        let id = client.id!
        let values = form?.values ?? [
            "allow": client.allowedAddresses.isEmpty ? "any" : client.allowedAddresses.replacingOccurrences(of: ",", with: ", "),
            "alternateIdentifiers": client.acceptsAlternateIdentifiers ? "yes" : "",
            "scopes": client.scopesText,
        ]
        let checked = Set((values["scopes"] ?? "").split(separator: " ").map(String.init))
        return APIClientPage(
            name: client.name, library: client.library.code, disabled: client.revokedAt != nil,
            scopes: APIScope.allCases.map { SystemsOption(value: $0.rawValue, label: translate("systems.api.scope.\($0.rawValue)"),
                                                          checked: checked.contains($0.rawValue)) },
            form: FormState(values: values, errors: form?.errors ?? [:]),
            updatePath: SiteURL.staffAPIClient(id: .value(id)).path, disablePath: SiteURL.staffAPIClientDisable(id: .value(id)).path,
            tokenPath: SiteURL.staffAPIClientToken(id: .value(id)).path)
    }
}
