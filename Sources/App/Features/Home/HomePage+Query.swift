import Fluent

extension HomePage {
    /// The consortium's libraries with their desks in order, named in the visitor's language.
    static func query(locale: SiteLocale, database: any Database) async throws -> HomePage {
        let english = locale == .en
        let libraries = try await Library.consortiumQuery(on: database).all().map { library in
            LibraryItem(
                code: library.code,
                name: english ? library.nameEN : library.nameZH,
                desks: library.desks.sorted { $0.position < $1.position }.map { english ? $0.nameEN : $0.nameZH }
            )
        }
        let services = SiteURL.Service.allCases.map {
            ServiceLink(titleKey: $0.localizationKey + ".title", summaryKey: $0.localizationKey + ".summary", path: SiteURL.service($0).path)
        }
        return HomePage(services: services, libraries: libraries)
    }
}
