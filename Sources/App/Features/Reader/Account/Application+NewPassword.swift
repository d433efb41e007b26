import Fluent
import Foundation
import OneCardDomain
import Vapor

extension Application {
    /// A reader's new password against the policy and their own ID number, phones and birthday, and
    /// against its confirmation: field → error code (`apply.error.<code>`), empty when it is good.
    /// One rule for the password reset, the first password of a group card holder and 變更密碼.
    func newPasswordErrors(_ password: String, confirmation: String, for patron: Patron) throws -> [String: String] {
        let idNumber = try patron.idNumberSealed.map { try vault.open($0, context: CardApplicationService.idNumberContext) }
        let facts = PasswordPolicy.PersonalFacts(idNumber: idNumber, phones: [patron.mobile, patron.homePhone].compactMap { $0 },
                                                 birthDate: patron.birthDate.flatMap(CalendarDay.init(iso:)))
        if let problem = passwordPolicy.problem(with: password, facts: facts) {
            return ["password": problem.rawValue]
        }
        return password == confirmation ? [:] : ["passwordConfirmation": "password_mismatch"]
    }
}
