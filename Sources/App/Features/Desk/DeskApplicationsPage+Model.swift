/// What `staff/applications.leaf` shows: the desk's search and what it found.
struct DeskApplicationsPage: Encodable {
    struct Row: Encodable {
        let id: String
        let applicationNumber: String
        let name: String
        let maskedID: String
        let statusKey: String
        let appliedAt: String
        /// The card's desk page.
        let path: String
    }

    let query: String
    let searched: Bool
    let rows: [Row]
}
