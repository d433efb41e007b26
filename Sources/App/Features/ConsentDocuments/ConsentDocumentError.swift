/// Why an administrator's change to a consent document was refused.
enum ConsentDocumentError: UserFacingError, Equatable {
    case notFound
    /// The document belongs to another library, or to the consortium (or a library's, for a consortium administrator).
    case notYours
    /// A published version never changes; a change is a new version.
    case published
    /// Both titles and both texts are needed: readers see the one in their language.
    case textRequired
    case effectiveDateInvalid
    /// Consents given in between would point at a text that was not yet in force.
    case effectiveDatePast
    /// No draft to publish (or to preview).
    case noDraft

    var code: String {
        switch self {
        case .notFound: "not_found"
        case .notYours: "not_yours"
        case .published: "published"
        case .textRequired: "text_required"
        case .effectiveDateInvalid: "effective_date_invalid"
        case .effectiveDatePast: "effective_date_past"
        case .noDraft: "no_draft"
        }
    }

    var messageKey: String { "consents.error.\(code)" }
}
