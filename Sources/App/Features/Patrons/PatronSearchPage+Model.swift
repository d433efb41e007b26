/// What `staff/patrons.leaf` shows: the back office's patron search and one page of what it found.
enum PatronSearchPage {
    struct Model: Encodable {
        struct Row: Encodable {
            let name: String
            let cardNumber: String
            let applicationNumber: String
            let statusKey: String
            let homeLibrary: String
            /// The patron record.
            let path: String
        }

        let query: String
        let searched: Bool
        let total: Int
        let rows: [Row]
        let pages: [Pagination.Link]
    }
}
