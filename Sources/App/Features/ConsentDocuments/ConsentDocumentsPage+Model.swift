/// What `staff/consents.leaf` shows: every consent document, its version in force, and whether the
/// signed-in administrator may write its next version.
enum ConsentDocumentsPage {
    struct Model: Encodable {
        struct Row: Encodable {

            let code: String
            let title: String
            let versions: Int
            /// The version readers agree to today.
            let inForce: Int
            /// A published version whose effective date has not come yet.
            let upcoming: Int?
            let hasUpcoming: Bool
            let hasDraft: Bool
            let mine: Bool
            let path: String
        }

        let rows: [Row]
    }
}
