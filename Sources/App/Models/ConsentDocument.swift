import Fluent
import Foundation
import Vapor

/// A versioned consent text (個人資料同意書/聲明). A new version is a new row; consents point at the
/// exact version a person agreed to.
final class ConsentDocument: Model, @unchecked Sendable {
    static let schema = "consent_documents"

    @ID(key: .id) var id: UUID?
    /// Stable name of the document across versions, e.g. `TPML_PRIVACY`, `NTPL_LINK`.
    @Field(key: "code") var code: String
    @Field(key: "version") var version: Int
    @Field(key: "title_zh") var titleZH: String
    @Field(key: "title_en") var titleEN: String
    /// Paragraphs separated by blank lines.
    @Field(key: "body_zh") var bodyZH: String
    @Field(key: "body_en") var bodyEN: String
    @Field(key: "published_at") var publishedAt: Date

    init() {}

    init(code: String, version: Int, titleZH: String, titleEN: String, bodyZH: String, bodyEN: String, publishedAt: Date) {
        self.code = code
        self.version = version
        self.titleZH = titleZH
        self.titleEN = titleEN
        self.bodyZH = bodyZH
        self.bodyEN = bodyEN
        self.publishedAt = publishedAt
    }

    /// The version in force: the highest published one.
    static func current(_ code: String, on database: any Database) async throws -> ConsentDocument {
        guard let document = try await ConsentDocument.query(on: database).filter(\.$code == code)
            .sort(\.$version, .descending).first()
        else { throw Abort(.internalServerError, reason: "consent document \(code) is missing") }
        return document
    }
}
