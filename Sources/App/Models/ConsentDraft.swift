import Fluent
import Foundation

/// The next version of a consent document, being written (issue #14 item 6). Unlike a published
/// `ConsentDocument` it may change until it is published; publishing copies it into a new version and
/// deletes it.
final class ConsentDraft: Model, @unchecked Sendable {
    static let schema = "consent_drafts"

    @ID(key: .id) var id: UUID?
    @Field(key: "code") var code: String
    @Field(key: "title_zh") var titleZH: String
    @Field(key: "title_en") var titleEN: String
    @Field(key: "body_zh") var bodyZH: String
    @Field(key: "body_en") var bodyEN: String
    @Field(key: "requires_renewed_consent") var requiresRenewedConsent: Bool
    @Field(key: "updated_at") var updatedAt: Date
    @OptionalField(key: "updated_by") var updatedBy: UUID?

    init() {}

    init(code: String, text: ConsentText, requiresRenewedConsent: Bool, updatedAt: Date, updatedBy: UUID?) {
        self.code = code
        self.requiresRenewedConsent = requiresRenewedConsent
        self.updatedAt = updatedAt
        self.updatedBy = updatedBy
        self.text = text
    }

    var text: ConsentText {
        get { ConsentText(titleZH: titleZH, titleEN: titleEN, bodyZH: bodyZH, bodyEN: bodyEN) }
        set {
            titleZH = newValue.titleZH
            titleEN = newValue.titleEN
            bodyZH = newValue.bodyZH
            bodyEN = newValue.bodyEN
        }
    }
}
