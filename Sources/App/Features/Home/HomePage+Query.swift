import Fluent

extension HomePage {
    /// The consortium's libraries with their desks in order, named in the visitor's language.
    static func query(locale: SiteLocale, database: any Database) async throws -> HomePage {
        let libraries = try await Library.consortiumQuery(on: database).all().map { library in
            LibraryItem(
                code: library.code,
                name: library.name(in: locale),
                desks: library.desks.sorted { $0.position < $1.position }.map { $0.name(in: locale) }
            )
        }
        let services = SiteURL.Service.allCases.map {
            ServiceLink(titleKey: $0.localizationKey + ".title", summaryKey: $0.localizationKey + ".summary", path: SiteURL.service($0).path)
        }
        return HomePage(services: services, libraries: libraries)
    }
}
