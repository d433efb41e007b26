import Fluent
import Foundation

extension HomePage {
    /// The consortium's libraries with their desks in order, named in the visitor's language.
    static func query(locale: SiteLocale, directory: ConsortiumDirectory, database: any Database, now: Date) async throws -> HomePage {
        let libraries = try await directory.libraries(on: database, now: now).map { library in
            LibraryItem(
                code: library.code,
                name: locale.choose(zhTW: library.name.zhTW, en: library.name.en),
                desks: library.desks.map { locale.choose(zhTW: $0.name.zhTW, en: $0.name.en) }
            )
        }
        let services = SiteURL.Service.allCases.map {
            ServiceLink(titleKey: $0.localizationKey + ".title", summaryKey: $0.localizationKey + ".summary", path: SiteURL.service($0).path)
        }
        return HomePage(services: services, libraries: libraries)
    }
}
