import Fluent

extension SIP2AccountsPage {
    /// The accounts in the administrator's scope, by login user; never a password hash.
    static func query(scope: SystemsScope, form: FormState, locale: SiteLocale, database: any Database) async throws -> SIP2AccountsPage {
        var accounts = SIP2AccountRecord.query(on: database).with(\.$library).sort(\.$loginUser)
        if let only = scope.libraryID { accounts = accounts.filter(\.$library.$id == only) }
        let rows = try await accounts.all().map { record in
            Row(user: record.loginUser, library: record.library.code, institution: record.institution,
                allow: record.allowedAddresses.isEmpty ? "any" : record.allowedAddresses.replacingOccurrences(of: ",", with: ", "),
                personalData: record.mayReadPersonalData, alternateIDs: record.acceptsAlternateIdentifiers,
                disabled: record.disabledAt != nil, path: SiteURL.staffSIP2Account(id: .value(record.id!)).path)
        }
        return SIP2AccountsPage(
            rows: rows,
            libraries: try await SystemsLibraries.options(scope: scope, chosen: form.values["library"], locale: locale, database: database),
            encodings: SIP2AccountPage.encodingOptions(chosen: form.values["encoding"]), form: form)
    }
}
