import Fluent
import Foundation

/// A one-card service (一證通用) a library offers its readers: linking their card with a partner library,
/// or with the city's identity account (台北通).
final class PartnerService: Model, @unchecked Sendable {
    static let schema = "partner_services"

    enum Kind: String, Codable, Sendable {
        case partnerLibrary = "partner_library"
        case cityAccount = "city_account"
    }

    @ID(key: .id) var id: UUID?
    /// The library whose readers see this service under 合作館服務.
    @Parent(key: "library_id") var library: Library
    @Field(key: "code") var code: String
    @Enum(key: "kind") var kind: Kind
    @OptionalParent(key: "partner_library_id") var partnerLibrary: Library?
    /// As the list shows it, e.g. 啟用新北市公共圖書館一證通用服務.
    @Field(key: "name_zh") var nameZH: String
    @Field(key: "name_en") var nameEN: String
    @Field(key: "position") var position: Int

    init() {}

    init(id: UUID? = nil, libraryID: UUID, code: String, kind: Kind, partnerLibraryID: UUID?,
         nameZH: String, nameEN: String, position: Int) {
        self.id = id
        self.$library.id = libraryID
        self.code = code
        self.kind = kind
        self.$partnerLibrary.id = partnerLibraryID
        self.nameZH = nameZH
        self.nameEN = nameEN
        self.position = position
    }
}
