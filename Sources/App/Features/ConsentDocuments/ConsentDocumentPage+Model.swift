/// What `staff/consent.leaf` shows: one document's versions in both languages, newest first, and the
/// form for the next version (its draft, or the newest text to start from) with preview and publication.
enum ConsentDocumentPage {
    struct Model: Encodable {
        struct Version: Encodable {
            let version: Int
            let zh: ConsentStatement
            let en: ConsentStatement
            let published: String
            let effective: String
            let inForce: Bool
            let upcoming: Bool
            let renewedConsent: Bool
            let previewPath: String
        }

        let code: String
        /// The newest version's title in the page's language.
        let title: String
        let owner: String
        let mine: Bool
        let versions: [Version]
        let nextVersion: Int
        let hasDraft: Bool
        /// The draft's (or the newest version's) words and the renewal choice, or what was just typed.
        let form: FormState
        let savePath: String
        let previewPath: String
        let publishPath: String
        let notice: String?
    }
}
