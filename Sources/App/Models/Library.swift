import Fluent
import Foundation

/// A member library of the consortium.
final class Library: Model, @unchecked Sendable {
    static let schema = "libraries"

    @ID(key: .id) var id: UUID?
    /// Short stable code used in URLs, the CLI and partner APIs, e.g. `TPML`.
    @Field(key: "code") var code: String
    @Field(key: "name_zh") var nameZH: String
    @Field(key: "name_en") var nameEN: String
    /// The four digits every card number of this library starts with.
    @Field(key: "card_prefix") var cardPrefix: String
    @Field(key: "position") var position: Int
    @Children(for: \.$library) var desks: [ServiceDesk]
    @Children(for: \.$library) var partnerServices: [PartnerService]
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    init() {}

    init(id: UUID? = nil, code: String, nameZH: String, nameEN: String, cardPrefix: String, position: Int) {
        self.id = id
        self.code = code
        self.nameZH = nameZH
        self.nameEN = nameEN
        self.cardPrefix = cardPrefix
        self.position = position
    }
}

extension Library {
    /// The member library with this code (case-insensitive: `tpml` finds TPML), or the error the CLI and
    /// services report for an unknown code.
    static func require(code: String, on database: any Database) async throws -> Library {
        guard let library = try await Library.query(on: database).filter(\.$code == code.uppercased()).first() else {
            throw StaffAccountError.unknownLibrary(code)
        }
        return library
    }
}

