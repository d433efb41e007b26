/// What `reader/access-log.leaf` shows: which library looked at the reader's personal data, when and why.
enum AccessLogPage {
    struct Model: Encodable {
        struct Entry: Encodable {
            let time: String
            let library: String
            let reasonKey: String
        }

        let entries: [Entry]
        let pages: [Pagination.Link]
    }
}
