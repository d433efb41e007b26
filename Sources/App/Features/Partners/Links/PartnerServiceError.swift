import Fluent
import Foundation

enum PartnerServiceError: UserFacingError, Equatable {
    case notOffered
    /// 與台北通結合 is not a tick: it needs a sign-in with Taipei Pass, which is not configured here.
    case needsCityAccount
    /// The Taipei Pass account is already linked with another card.
    case cityAccountLinkedElsewhere

    var code: String {
        switch self {
        case .notOffered: "not_found"
        case .needsCityAccount: "city_account_required"
        case .cityAccountLinkedElsewhere: "city_account_linked_elsewhere"
        }
    }
    var messageKey: String {
        switch self {
        case .notOffered: "error.not_found"
        case .needsCityAccount: "partners.city_account_unavailable"
        case .cityAccountLinkedElsewhere: TaipeiPassFailure.linkedElsewhere.messageKey
        }
    }
}
