import OneCardDomain
import PersonalDataVault

/// What `staff/application.leaf` shows: one application or card, as the desk sees it.
struct DeskApplicationPage: Encodable {
    let id: String
    let applicationNumber: String
    let statusKey: String
    let isPending: Bool
    /// An active digital card: the desk can upgrade it to a physical card after checking the ID.
    let canUpgrade: Bool
    let cardKindKey: String
    /// A digital card application waiting for a reviewer, not for the desk.
    let awaitsReview: Bool
    let cardTypeKey: String
    /// 家庭證: what the applicant gave from the household register (戶口名簿), for the clerk to compare.
    let household: Household?
    let documentKindKey: String
    let idNumber: String
    let passportCountry: String?
    let name: String
    let genderKey: String
    let birthDate: String
    let mobile: String?
    let homePhone: String?
    let email: String?
    let cardNumber: String?
    let partners: [String]
    let appliedAt: String
    /// Set by the controller from the query string (`?activated`, `?upgraded`, `?standing=`).
    var notice: String?
    let error: String?
    let easyCard: String
    /// The bound EasyCard/iPASS, last four digits only.
    let boundEasyCard: String?
    /// An active card: the desk can suspend, reinstate and change its 有效期限.
    let isActive: Bool
    let isSuspended: Bool
    /// `standing.good` / `standing.expired` / `standing.suspended`, for an active card.
    let standingKey: String?
    let validUntil: String?
    let suspendedSince: String?
    let suspensionReason: String?
    /// One message per field, beside the field (the summary repeats it).
    let errors: [String: String]
    /// What was typed, shown again after a refusal.
    let validUntilInput: String
    let reasonInput: String
    /// The staff member's library is the card's home library: the forms that change it are shown. A partner
    /// library's staff see the card and a note that its home library changes it (`PatronAuthority`).
    let mayChange: Bool
    /// The home library's name, in the page's language.
    let homeLibrary: String
    /// Where the desk's forms post: 開通, 升級為實體證, 復權, 停權, 有效期限.
    let activatePath: String
    let upgradePath: String
    let reinstatePath: String
    let suspendPath: String
    let validUntilPath: String

    /// What a refused form shows again.
    struct Typed {
        var easyCard = ""
        var validUntil: String?
        var reason = ""
    }

    struct Household: Encodable {
        let number: String
        let headName: String
        /// Masked: the clerk compares it with the register; the full number is not needed for that.
        let headMaskedID: String
    }

    static func household(of patron: Patron, vault: PersonalDataVault) throws -> Household? {
        guard let sealed = patron.householdSealed else { return nil }
        let parts = try vault.open(sealed, context: CardApplicationService.householdContext)
            .split(separator: "\u{1F}", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 3 else { return nil }
        return Household(number: parts[0], headName: parts[1],
                         headMaskedID: (try? IdentityNumber.parse(parts[2]).get().masked) ?? "—")
    }
}
