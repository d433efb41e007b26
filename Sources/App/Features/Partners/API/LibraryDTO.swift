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
