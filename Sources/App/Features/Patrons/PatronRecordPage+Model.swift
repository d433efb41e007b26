/// What `staff/patron.leaf` shows: one patron's record for the back office (issue #14 item 3).
enum PatronRecordPage {
    struct Model: Encodable {
        struct Link: Encodable {
            let service: String
            let statusKey: String
            let since: String
        }

        struct Consent: Encodable {
            let document: String
            let version: Int
            let givenAt: String
            let channel: String
            let withdrawnAt: String?
        }

        struct PatronRequest: Encodable {
            let kindKey: String
            let statusKey: String
            let requestedAt: String
            let decidedAt: String?
        }

        struct HistoryEntry: Encodable {
            let time: String
            let action: String
            let library: String
        }

        let name: String
        let cardNumber: String?
        let applicationNumber: String
        let statusKey: String
        let cardKindKey: String
        let homeLibrary: String
        let appliedAt: String
        let activatedAt: String?
        /// `A1••••••89`; the whole number only after an explicit, audited reveal.
        let maskedIDNumber: String
        let fullIDNumber: String?
        let hasIDNumber: Bool
        let mobile: String?
        let homePhone: String?
        let email: String?
        let standingKey: String?
        let validUntil: String?
        let suspendedSince: String?
        let suspensionReason: String?
        let links: [Link]
        let consents: [Consent]
        let requests: [PatronRequest]
        let history: [HistoryEntry]
        /// Where the ID number is revealed (a form, so it is never in a link or the browser's history).
        let revealPath: String
        /// The desk's page of the same card: activation and the card's standing.
        let deskPath: String
    }
}
