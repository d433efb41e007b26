import Fluent
import Vapor

/// A member library as the public API describes it.
struct LibraryDTO: Content {
    struct Name: Content {
        let zhTW: String
        let en: String

        enum CodingKeys: String, CodingKey {
            case zhTW = "zh-TW"
            case en
        }
    }

    struct Desk: Content {
        let code: String
        let name: Name
    }

    struct PartnerServiceDTO: Content {
        let code: String
        let kind: String
        let partnerLibrary: String?
        let name: Name
    }

    let code: String
    let name: Name
    let cardPrefix: String
    let desks: [Desk]
    let partnerServices: [PartnerServiceDTO]
}

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
