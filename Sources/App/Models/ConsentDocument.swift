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
    /// When this version comes into force; nil for versions in force since their publication (all those
    /// published before effective dates existed, and the OpenID Connect clients' generated texts).
    @OptionalField(key: "effective_at") var effectiveAt: Date?
    /// Readers who agreed to an older version are asked again at their next sign-in (`RenewedConsent`).
    @Field(key: "requires_renewed_consent") var requiresRenewedConsent: Bool

    init() {}

    init(code: String, version: Int, titleZH: String, titleEN: String, bodyZH: String, bodyEN: String, publishedAt: Date,
         effectiveAt: Date? = nil, requiresRenewedConsent: Bool = false) {
        self.code = code
        self.version = version
        self.titleZH = titleZH
        self.titleEN = titleEN
        self.bodyZH = bodyZH
        self.bodyEN = bodyEN
        self.publishedAt = publishedAt
        self.effectiveAt = effectiveAt
        self.requiresRenewedConsent = requiresRenewedConsent
    }

    /// Whether this version is in force at `now`.
    func isInForce(at now: Date) -> Bool { effectiveAt.map { $0 <= now } ?? true }

    /// The version in force at `now`: the highest published one whose effective date has come. A version
    /// published with a later effective date is not shown to anyone until then.
    static func current(_ code: String, at now: Date, on database: any Database) async throws -> ConsentDocument {
        guard let document = try await ConsentDocument.query(on: database).filter(\.$code == code)
            .group(.or, { $0.filter(\.$effectiveAt == nil).filter(\.$effectiveAt <= now) })
            .sort(\.$version, .descending).first()
        else { throw Abort(.internalServerError, reason: "consent document \(code) is missing") }
        return document
    }
}
