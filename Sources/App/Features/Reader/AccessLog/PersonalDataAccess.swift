/// Which audit entries are a library looking at a reader's personal data, and why, for the reader's
/// 個人資料查閱紀錄 (issue #14 item 7): the PDPA's right to ask who used one's data.
///
/// Only looks by a library count: a desk opening the card or activating it, a reviewer opening a digital
/// card application or its ID images, the patron record and its full ID number, a partner library's
/// system asking about the card, and a SIP2 client trusted with personal data looking the card up. The
/// reader's own sign-ins and downloads are their own business and not listed.
enum PersonalDataAccess: String, CaseIterable, Sendable {
    case deskActivation = "desk_activation"
    case deskLookup = "desk_lookup"
    case review
    case patronRecord = "patron_record"
    case partnerLookup = "partner_lookup"
    case sip2

    /// The audit actions that are this reason.
    var actions: [String] {
        switch self {
        case .deskActivation: ["card.activated", "card.upgraded_to_physical"]
        case .deskLookup: ["patron.viewed"]
        case .review: ["digital_card.viewed", "identity_document.viewed"]
        case .patronRecord: ["patron.record_viewed", "patron.id_number_revealed"]
        case .partnerLookup: ["patron.partner_lookup"]
        case .sip2: ["patron.sip2_lookup"]
        }
    }

    static let byAction: [String: PersonalDataAccess] = Dictionary(
        uniqueKeysWithValues: allCases.flatMap { reason in reason.actions.map { ($0, reason) } })

    /// The words the reader reads.
    var messageKey: String { "reader.access_log.reason.\(rawValue)" }
}
