import Foundation
import Fluent

extension PartnerSystemsPage {
    /// The libraries in the administrator's scope, in the consortium's order, with their endpoints.
    static func query(scope: SystemsScope, locale: SiteLocale, database: any Database) async throws -> PartnerSystemsPage {
        var libraries = Library.query(on: database).sort(\.$position)
        if let only = scope.libraryID { libraries = libraries.filter(\.$id == only) }
        let endpoints = try await PartnerEndpoint.query(on: database).all()
            .reduce(into: [UUID: String]()) { $0[$1.$library.id] = $1.url }
        return PartnerSystemsPage(rows: try await libraries.all().map { library in
            Row(code: library.code, name: library.name(in: locale), url: endpoints[library.id!] ?? "",
                path: SiteURL.staffPartnerSystem(code: .value(library.code)).path)
        })
    }
}
