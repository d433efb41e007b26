import Fluent

extension PartnerSystemPage {
    /// The library's page, if it is in the administrator's scope; "not found" otherwise.
    static func query(code: String, scope: SystemsScope, locale: SiteLocale, database: any Database) async throws -> (Library, PartnerSystemPage) {
        guard let library = try await Library.query(on: database).filter(\.$code == code.uppercased()).first(),
              let id = library.id, scope.admits(id)
        else { throw SystemsError.notFound }
        let endpoint = try await PartnerEndpoint.query(on: database).filter(\.$library.$id == id).first()
        let page = PartnerSystemPage(
            code: library.code, name: library.name(in: locale), hasEndpoint: endpoint != nil,
            form: FormState(values: ["url": endpoint?.url ?? ""]),
            urlPath: SiteURL.staffPartnerSystem(code: .value(library.code)).path,
            secretPath: SiteURL.staffPartnerSystemSecret(code: .value(library.code)).path,
            testPath: SiteURL.staffPartnerSystemTest(code: .value(library.code)).path)
        return (library, page)
    }
}
