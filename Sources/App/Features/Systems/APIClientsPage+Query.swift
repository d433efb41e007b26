import Fluent

extension APIClientsPage {
    /// The clients in the administrator's scope, oldest first, never with a token or its hash.
    static func query(scope: SystemsScope, form: FormState, checkedScopes: Set<String>, locale: SiteLocale,
                      translate: (String) -> String, database: any Database) async throws -> APIClientsPage {
        var clients = APIClient.query(on: database).with(\.$library).sort(\.$createdAt)
        if let only = scope.libraryID { clients = clients.filter(\.$library.$id == only) }
        let rows = try await clients.all().map { client in
            Row(name: client.name, library: client.library.code, scopes: client.scopesText,
                alternateIdentifiers: client.acceptsAlternateIdentifiers,
                allow: client.allowedAddresses.isEmpty ? "any" : client.allowedAddresses.replacingOccurrences(of: ",", with: ", "),
                disabled: client.revokedAt != nil, path: SiteURL.staffAPIClient(id: .value(client.id!)).path)
        }
        return APIClientsPage(
            rows: rows,
            libraries: try await SystemsLibraries.options(scope: scope, chosen: form.values["library"], locale: locale, database: database),
            scopes: APIScope.allCases.map { SystemsOption(value: $0.rawValue, label: translate("systems.api.scope.\($0.rawValue)"),
                                                          checked: checkedScopes.contains($0.rawValue)) },
            form: form)
    }
}
