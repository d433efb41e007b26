import Fluent
import Vapor

extension Library {
    /// Needs `desks` and `partnerServices` (with `partnerLibrary`) eager-loaded.
    func toDTO() -> LibraryDTO {
        LibraryDTO(
            code: code,
            name: .init(zhTW: nameZH, en: nameEN),
            cardPrefix: cardPrefix,
            desks: desks.sorted { $0.position < $1.position }.map {
                .init(code: $0.code, name: .init(zhTW: $0.nameZH, en: $0.nameEN))
            },
            partnerServices: partnerServices.sorted { $0.position < $1.position }.map {
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
