import Fluent
import Vapor

extension Library {
    /// Needs `desks` and `partnerServices` (with `partnerLibrary`) eager-loaded. Closed desks and withdrawn
    /// services are left out: the directory is where readers are told where to go and what they can enable.
    func toDTO(closedDesks: Set<UUID>, withdrawnServices: Set<UUID>) -> LibraryDTO {
        LibraryDTO(
            code: code,
            name: .init(zhTW: nameZH, en: nameEN),
            cardPrefix: cardPrefix,
            desks: desks.filter { !closedDesks.contains($0.id!) }.sorted { $0.position < $1.position }.map {
                .init(code: $0.code, name: .init(zhTW: $0.nameZH, en: $0.nameEN))
            },
            partnerServices: partnerServices.filter { !withdrawnServices.contains($0.id!) }.sorted { $0.position < $1.position }.map {
                .init(code: $0.code, kind: $0.kind.rawValue, partnerLibrary: $0.partnerLibrary?.code,
                      name: .init(zhTW: $0.nameZH, en: $0.nameEN))
            }
        )
    }

    static func consortiumQuery(on database: any Database) -> QueryBuilder<Library> {
        Library.query(on: database)
            .with(\.$desks)
            .with(\.$partnerServices) { $0.with(\.$partnerLibrary) }
            .sort(\.$position)
    }
}
