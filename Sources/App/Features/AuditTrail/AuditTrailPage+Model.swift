/// What `staff/audit.leaf` shows: the audit trail, filtered and paged (issue #14 item 5).
enum AuditTrailPage {
    struct Model: Encodable {
        struct Option: Encodable {
            let value: String
            let label: String
            let selected: Bool
        }

        struct Row: Encodable {
            let time: String
            /// In words; `actionCode` is kept beside it for the export and for people who know the codes.
            let action: String
            let actionCode: String
            let actor: String
            let actorPath: String?
            let subject: String
            /// The subject's own record (patron record, group application, group batch …) where it has a page.
            let subjectPath: String?
            /// The trail narrowed to this subject.
            let subjectFilterPath: String?
            let library: String
            let ipAddress: String
            let details: String
        }

        /// The libraries whose entries are shown: the staff member's library, or the consortium's.
        let scope: String
        let values: [String: String]
        let errors: [String: String]
        let hasErrors: Bool
        let actions: [Option]
        let mayChooseLibrary: Bool
        let libraries: [Option]
        /// The record the trail is narrowed to by a link, with a way back to the whole trail.
        let subjectFilter: String?
        let clearPath: String
        let total: Int
        let rows: [Row]
        let newerPath: String?
        let olderPath: String?
        let newestPath: String?
        let csvPath: String?
        let xlsxPath: String?
        let exportLimit: String
        let exportError: String?
    }
}
