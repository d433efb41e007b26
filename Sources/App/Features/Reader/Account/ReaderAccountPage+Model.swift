import Foundation

/// 我的帳戶: the reader's own data (ID masked) and the consents they gave, with versions and dates.
/// `ReaderAccountPage.Model.query` builds what the template shows.
enum ReaderAccountPage {}

extension ReaderAccountPage {
    struct Model: Encodable {
        struct Consent: Encodable {
            let id: String
            let title: String
            let version: Int
            let givenAt: String
            let withdrawn: Bool
            /// The card's own privacy statement: withdrawing it asks for erasure, and the button says so.
            let endsCard: Bool
            let withdrawPath: String
        }

        let name: String
        let cardNumber: String
        let maskedID: String
        /// ISO (`1990-05-03`); the page shows it in its language through `#day`.
        let birthDate: String?
        let library: String
        let email: String?
        let mobile: String?
        let partners: [String]
        let consents: [Consent]
        let notice: String?
        let pendingRequests: [String]
        /// The pages where the reader asks for a name change or for erasure.
        let nameChangeRequestPath = SiteURL.accountRequest(kind: .value(PatronRequest.Kind.nameChange.rawValue)).path
        let deletionRequestPath = SiteURL.accountRequest(kind: .value(PatronRequest.Kind.deletion.rawValue)).path
    }

    /// The `?notice=` values the page shows after a change (`reader.account.notice.<value>`).
    static let notices: Set<String> = ["password_changed", "contact_changed", "name_change_requested", "deletion_requested", "consent_withdrawn"]
}
