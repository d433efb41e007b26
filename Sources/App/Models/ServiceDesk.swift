import Fluent
import Foundation

/// A branch or service desk (閱覽單位服務臺) where a reader completes an application in person.
final class ServiceDesk: Model, @unchecked Sendable {
    static let schema = "service_desks"

    @ID(key: .id) var id: UUID?
    @Parent(key: "library_id") var library: Library
    @Field(key: "code") var code: String
    @Field(key: "name_zh") var nameZH: String
    @Field(key: "name_en") var nameEN: String
    @Field(key: "position") var position: Int

    init() {}

    init(id: UUID? = nil, libraryID: UUID, code: String, nameZH: String, nameEN: String, position: Int) {
        self.id = id
        self.$library.id = libraryID
        self.code = code
        self.nameZH = nameZH
        self.nameEN = nameEN
        self.position = position
    }
}
