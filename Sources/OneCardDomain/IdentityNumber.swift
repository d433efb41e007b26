import Foundation

/// The identity document a reader shows at the desk when applying for a library card.
public enum IdentityDocumentKind: String, Sendable, Codable, CaseIterable {
    /// 國民身分證統一編號: second character 1 or 2.
    case nationalID
    /// Old-format resident certificate number (舊式居留證號／統一證號): second character A–D.
    case residentCertificate
    /// New-format unified ID number (新式統一證號, issued since 2021): second character 8 or 9.
    case unifiedID
    /// A foreign passport: no checksum, so the issuing country is recorded with it.
    case passport
}

/// Gender as the card application form offers it.
public enum Gender: String, Sendable, Codable {
    case female, male, other
}

/// Why an identity number was refused; `code` is what the API and the form report.
public enum IdentityNumberError: Error, Sendable, Equatable {
    case empty
    /// The number has the wrong length; carries the length that was given.
    case length(Int)
    /// The character at this 1-based position is not allowed there.
    case invalidCharacter(position: Int)
    /// The first character is not a letter A–Z.
    case firstLetter
    /// The second character is none of 1, 2 (national ID), A–D (old format) or 8, 9 (new format).
    case secondCharacter
    /// Well-formed, but the check digit does not match: usually a typing slip.
    case checksum
    /// A passport was given without a 2- or 3-letter issuing country.
    case issuingCountryMissing
    /// The number is valid but belongs to another kind of document than the one chosen.
    case kindMismatch(actual: IdentityDocumentKind)

    /// A stable machine word for the error, safe to use in API responses and translations. A kind
    /// mismatch names what the number really is, so the message can say which document type to choose.
    public var code: String {
        switch self {
        case .empty: "id_empty"
        case .length: "id_length"
        case .invalidCharacter: "id_character"
        case .firstLetter: "id_first_letter"
        case .secondCharacter: "id_second_character"
        case .checksum: "id_checksum"
        case .issuingCountryMissing: "id_country_missing"
        case .kindMismatch(actual: .nationalID): "id_kind_mismatch_national_id"
        case .kindMismatch: "id_kind_mismatch"
        }
    }
}

/// A validated identity number: a Taiwan national ID, a resident certificate or unified ID number, or a passport number.
///
/// Values only come from `parse`, so holding one means the number passed its checks.
public struct IdentityNumber: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The normalized number: upper-case ASCII, no spaces.
    public let value: String
    public let kind: IdentityDocumentKind
    /// ISO 3166-1 alpha-2 or alpha-3 code, upper-cased; passports only.
    public let issuingCountry: String?

    private init(value: String, kind: IdentityDocumentKind, issuingCountry: String?) {
        self.value = value
        self.kind = kind
        self.issuingCountry = issuingCountry
    }

    /// The gender the number encodes; nil for passports, which encode none.
    public var genderFromNumber: Gender? {
        guard kind != .passport, let second = value.dropFirst().first else { return nil }
        switch second {
        case "1", "A", "C", "8": return .male
        case "2", "B", "D", "9": return .female
        default: return nil
        }
    }

    /// Whether the holder is a citizen of the Republic of China (holds a national ID).
    public var isROCNational: Bool { kind == .nationalID }

    /// The number with its middle hidden, e.g. `A12****789`, for screens, receipts and logs.
    public var masked: String {
        let characters = Array(value)
        // Short passports would show most of the number with 3 + 3 kept.
        let kept = characters.count >= 10 ? 3 : 2
        guard characters.count > 2 * kept else { return String(repeating: "*", count: characters.count) }
        return String(characters.prefix(kept))
            + String(repeating: "*", count: characters.count - 2 * kept)
            + String(characters.suffix(kept))
    }

    /// The masked number, so that string interpolation into logs never carries the full number.
    public var description: String { masked }

    // MARK: Parsing

    /// Trims, folds full-width characters to ASCII (NFKC), upper-cases and removes all spaces.
    public static func normalize(_ raw: String) -> String {
        // Plain ASCII (nearly every number typed or read from a file) needs no Unicode folding: NFKC leaves
        // it as it is. Folding every row of a 50,000-row reader data file was a seventh of `roster check`
        // (issue #13 item 5); the result is the same as the general way below.
        if raw.utf8.allSatisfy({ $0 < 0x80 }) {
            var bytes: [UInt8] = []
            bytes.reserveCapacity(raw.utf8.count)
            for byte in raw.utf8 {
                switch byte {
                case 0x09...0x0D, 0x20: continue
                case UInt8(ascii: "a")...UInt8(ascii: "z"): bytes.append(byte - 0x20)
                default: bytes.append(byte)
                }
            }
            return String(decoding: bytes, as: UTF8.self)
        }
        let folded = raw.precomposedStringWithCompatibilityMapping.uppercased()
        return String(folded.filter { !$0.isWhitespace })
    }

    /// Validates a number as typed by a reader or staff member.
    ///
    /// With no `kind`, only Taiwan numbers are recognised (by shape); passports must be asked for
    /// explicitly, because almost any string of letters and digits would pass as one.
    /// Choosing either resident kind accepts both the old and the new format, since holders rarely
    /// know which one they have; the returned kind follows the number's shape.
    /// `issuingCountry` is only read for passports.
    public static func parse(
        _ raw: String,
        as kind: IdentityDocumentKind? = nil,
        issuingCountry: String? = nil
    ) -> Result<IdentityNumber, IdentityNumberError> {
        let value = normalize(raw)
        if kind == .passport {
            return parsePassport(value, issuingCountry: issuingCountry)
        }
        let actual: IdentityDocumentKind
        switch classifyTaiwanNumber(value) {
        case .success(let classified): actual = classified
        case .failure(let error): return .failure(error)
        }
        switch (kind, actual) {
        case (nil, _),
             (.nationalID, .nationalID),
             (.residentCertificate, .residentCertificate), (.residentCertificate, .unifiedID),
             (.unifiedID, .residentCertificate), (.unifiedID, .unifiedID):
            return .success(IdentityNumber(value: value, kind: actual, issuingCountry: nil))
        default:
            return .failure(.kindMismatch(actual: actual))
        }
    }

    /// The check digit (10th character) for the first nine characters of a Taiwan number,
    /// or nil when those nine characters cannot start one.
    public static func checkDigit(forFirstNine firstNine: String) -> Int? {
        let characters = Array(normalize(firstNine))
        guard characters.count == 9,
              let letterCode = letterCode(characters[0]),
              let second = secondCharacter(characters[1]) else { return nil }
        var digits: [Int] = []
        for character in characters[2...] {
            guard let digit = asciiDigit(character) else { return nil }
            digits.append(digit)
        }
        let partial = weightedSum(letterCode: letterCode, secondValue: second.value, digits: digits)
        return (10 - partial % 10) % 10
    }

    /// Builds a valid Taiwan number from its first letter, second character and seven middle digits,
    /// appending the right check digit. Traps on parts that cannot form a number, as that is a programming error.
    public static func makeValid(firstLetter: Character, second: Character, middle: String) -> String {
        let firstNine = String(firstLetter) + String(second) + middle
        guard let check = checkDigit(forFirstNine: firstNine) else {
            preconditionFailure("Cannot build an identity number from \(firstLetter), \(second), \(middle)")
        }
        return normalize(firstNine) + String(check)
    }

    // MARK: Taiwan numbers

    /// The weight each position from the 3rd to the 10th carries in the checksum.
    private static let digitWeights = [7, 6, 5, 4, 3, 2, 1, 1]

    /// Two-digit codes of the first letter, in alphabetical order. They are not sequential because
    /// I, O, W, X, Y and Z were added after the original 20 regions were numbered.
    private static let letterCodes = [
        10, 11, 12, 13, 14, 15, 16, 17, 34, 18, 19, 20, 21,
        22, 35, 23, 24, 25, 26, 27, 28, 29, 32, 30, 31, 33,
    ]

    /// The checksum code of a first letter A–Z.
    private static func letterCode(_ character: Character) -> Int? {
        guard isASCIIUppercaseLetter(character), let ascii = character.asciiValue else { return nil }
        return letterCodes[Int(ascii - UInt8(ascii: "A"))]
    }

    /// What the second character says about the document, and the value it contributes to the checksum.
    private static func secondCharacter(_ character: Character) -> (kind: IdentityDocumentKind, value: Int)? {
        switch character {
        case "1": (.nationalID, 1)
        case "2": (.nationalID, 2)
        // Old-format letters count as the units digit of their letter code (A = 10 … D = 13).
        case "A": (.residentCertificate, 0)
        case "B": (.residentCertificate, 1)
        case "C": (.residentCertificate, 2)
        case "D": (.residentCertificate, 3)
        case "8": (.unifiedID, 8)
        case "9": (.unifiedID, 9)
        default: nil
        }
    }

    private static func weightedSum(letterCode: Int, secondValue: Int, digits: [Int]) -> Int {
        var sum = (letterCode / 10) * 1 + (letterCode % 10) * 9 + secondValue * 8
        for (digit, weight) in zip(digits, digitWeights) {
            sum += digit * weight
        }
        return sum
    }

    private static func classifyTaiwanNumber(_ value: String) -> Result<IdentityDocumentKind, IdentityNumberError> {
        if value.utf8.count == 10, value.utf8.allSatisfy({ (0x21...0x7E).contains($0) }) {
            return classifyTaiwanNumber(ascii: Array(value.utf8))
        }
        let characters = Array(value)
        guard !characters.isEmpty else { return .failure(.empty) }
        guard characters.count == 10 else { return .failure(.length(characters.count)) }
        guard let letterCode = letterCode(characters[0]) else { return .failure(.firstLetter) }
        guard let second = secondCharacter(characters[1]) else { return .failure(.secondCharacter) }
        var digits: [Int] = []
        digits.reserveCapacity(8)
        for index in 2..<10 {
            guard let digit = asciiDigit(characters[index]) else {
                return .failure(.invalidCharacter(position: index + 1))
            }
            digits.append(digit)
        }
        guard weightedSum(letterCode: letterCode, secondValue: second.value, digits: digits) % 10 == 0 else {
            return .failure(.checksum)
        }
        return .success(second.kind)
    }

    /// The same checks on ten printable ASCII bytes (one character each), which is what `normalize` leaves of
    /// nearly every number, without breaking the text into `Character`s: issue #13 item 5, `roster check`
    /// checks 50,000 of them.
    private static func classifyTaiwanNumber(ascii bytes: [UInt8]) -> Result<IdentityDocumentKind, IdentityNumberError> {
        guard (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(bytes[0]) else { return .failure(.firstLetter) }
        let letterCode = letterCodes[Int(bytes[0] - UInt8(ascii: "A"))]
        guard let second = secondCharacter(Character(UnicodeScalar(bytes[1]))) else { return .failure(.secondCharacter) }
        var digits: [Int] = []
        digits.reserveCapacity(8)
        for index in 2..<10 {
            guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) else {
                return .failure(.invalidCharacter(position: index + 1))
            }
            digits.append(Int(bytes[index] - UInt8(ascii: "0")))
        }
        guard weightedSum(letterCode: letterCode, secondValue: second.value, digits: digits) % 10 == 0 else {
            return .failure(.checksum)
        }
        return .success(second.kind)
    }

    // MARK: Passports

    /// Passport numbers vary by country; this spans the shortest and longest in use.
    public static let passportLengths = 5...20

    private static func parsePassport(_ value: String, issuingCountry: String?) -> Result<IdentityNumber, IdentityNumberError> {
        let characters = Array(value)
        guard !characters.isEmpty else { return .failure(.empty) }
        guard passportLengths.contains(characters.count) else { return .failure(.length(characters.count)) }
        for (offset, character) in characters.enumerated() where !isASCIILetterOrDigit(character) {
            return .failure(.invalidCharacter(position: offset + 1))
        }
        let country = issuingCountry.map(normalize) ?? ""
        guard (2...3).contains(country.count), country.allSatisfy(isASCIIUppercaseLetter) else {
            return .failure(.issuingCountryMissing)
        }
        return .success(IdentityNumber(value: value, kind: .passport, issuingCountry: country))
    }

    // MARK: Codable

    private enum CodingKeys: String, CodingKey {
        case value, kind, issuingCountry
    }

    /// Decodes and re-validates, so stored data cannot smuggle in a number `parse` would refuse.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let value = try container.decode(String.self, forKey: .value)
        let kind = try container.decode(IdentityDocumentKind.self, forKey: .kind)
        let country = try container.decodeIfPresent(String.self, forKey: .issuingCountry)
        switch IdentityNumber.parse(value, as: kind, issuingCountry: country) {
        case .success(let parsed) where parsed.kind == kind:
            self = parsed
        case .success(let parsed):
            throw DecodingError.dataCorruptedError(
                forKey: .kind, in: container,
                debugDescription: "Identity number has the shape of \(parsed.kind.rawValue), not \(kind.rawValue)")
        case .failure(let error):
            throw DecodingError.dataCorruptedError(
                forKey: .value, in: container, debugDescription: "Invalid identity number: \(error.code)")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(value, forKey: .value)
        try container.encode(kind, forKey: .kind)
        try container.encodeIfPresent(issuingCountry, forKey: .issuingCountry)
    }
}
