/// `staff/partner-systems.leaf`: the libraries whose partner system this administrator configures, each with
/// its webhook URL (or none yet) and a link to its page.
struct PartnerSystemsPage: Encodable {
    struct Row: Encodable {
        let code: String
        let name: String
        /// Empty when the library has no endpoint yet.
        let url: String
        let path: String
    }

    let rows: [Row]
}
