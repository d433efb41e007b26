import Foundation

/// The latest audit entries of an administrator's own library.
enum StaffAuditPage {
    /// What `staff/audit` shows.
    struct Model: Encodable {
        struct Row: Encodable {
            let time: String
            let actor: String
            let action: String
            let subject: String
            let ipAddress: String
        }

        let library: String
        let rows: [Row]
    }
}
