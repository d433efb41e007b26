import Foundation

/// Reader passwords, after OWASP ASVS 2.1: 8–128 characters, any characters, no composition rules;
/// refused when common or when it is the person's own ID number, phone number or birthday.
public struct PasswordPolicy: Sendable {
    public static let lengths = 8...128
    /// Lower-cased.
    public let commonPasswords: Set<String>

    public init(commonPasswords: Set<String>) {
        self.commonPasswords = commonPasswords
    }

    public enum Problem: String, Sendable, Equatable {
        case tooShort = "password_too_short"
        case tooLong = "password_too_long"
        case common = "password_common"
        case personal = "password_personal"
    }

    /// Things the password must not be: ID number, phone numbers, birthday.
    public struct PersonalFacts: Sendable {
        public var idNumber: String?
        public var phones: [String]
        public var birthDate: CalendarDay?

        public init(idNumber: String? = nil, phones: [String] = [], birthDate: CalendarDay? = nil) {
            self.idNumber = idNumber
            self.phones = phones
            self.birthDate = birthDate
        }
    }

    public func problem(with password: String, facts: PersonalFacts = .init()) -> Problem? {
        // Count what a person sees as characters; ASVS asks that Unicode be allowed.
        let length = password.count
        if length < Self.lengths.lowerBound { return .tooShort }
        if length > Self.lengths.upperBound { return .tooLong }
        let lowered = password.lowercased()
        let compact = lowered.filter { !$0.isWhitespace && $0 != "-" && $0 != "/" && $0 != "." }
        var personal: [String] = []
        if let id = facts.idNumber { personal.append(id.lowercased()) }
        personal += facts.phones.map { $0.filter(\.isNumber) }.filter { !$0.isEmpty }
        if let birth = facts.birthDate {
            let rocYear = birth.year - 1911
            personal += [
                String(format: "%04d%02d%02d", birth.year, birth.month, birth.day),
                String(format: "%02d%02d%04d", birth.month, birth.day, birth.year),
                String(format: "%02d%02d%04d", birth.day, birth.month, birth.year),
                String(format: "%03d%02d%02d", rocYear, birth.month, birth.day),
                String(format: "%d%02d%02d", rocYear, birth.month, birth.day),
            ]
        }
        // The person's own data first: "a123456789" is common too, but "it is your ID number" says more.
        if personal.contains(compact) { return .personal }
        return commonPasswords.contains(lowered) ? .common : nil
    }
}
