import Foundation
import OneCardDomain
import PersonalDataVault

/// A reader's new password against the policy and their own ID number, phones and birthday, and
/// against its confirmation. One rule for the password reset, the first password of a group card
/// holder and 變更密碼.
struct ReaderPasswordRule {
    let vault: PersonalDataVault
    let policy: PasswordPolicy

    /// Field → error code (`apply.error.<code>`), empty when the password is good.
    func errors(_ password: String, confirmation: String, for patron: Patron) throws -> [String: String] {
        let idNumber = try patron.idNumberSealed.map { try vault.open($0, context: CardApplicationService.idNumberContext) }
        let facts = PasswordPolicy.PersonalFacts(idNumber: idNumber, phones: [patron.mobile, patron.homePhone].compactMap { $0 },
                                                 birthDate: patron.birthDate.flatMap(CalendarDay.init(iso:)))
        if let problem = policy.problem(with: password, facts: facts) {
            return ["password": problem.rawValue]
        }
        return password == confirmation ? [:] : ["passwordConfirmation": "password_mismatch"]
    }

    /// Throws `NewPasswordRejected` unless the password is good.
    func check(_ password: String, confirmation: String, for patron: Patron) throws {
        let errors = try errors(password, confirmation: confirmation, for: patron)
        guard errors.isEmpty else { throw NewPasswordRejected(messageKeys: errors.mapValues { "apply.error.\($0)" }) }
    }
}
