import Foundation
import Testing
@testable import OneCardDomain

@Suite("Identity numbers")
struct IdentityNumberTests {
    struct ValidExample: Sendable, CustomTestStringConvertible {
        var raw: String
        var value: String
        var kind: IdentityDocumentKind
        var gender: Gender
        var testDescription: String { raw.debugDescription }
    }

    static let validExamples = [
        ValidExample(raw: "A123456789", value: "A123456789", kind: .nationalID, gender: .male),
        ValidExample(raw: "F234567898", value: "F234567898", kind: .nationalID, gender: .female),
        ValidExample(raw: "I200000005", value: "I200000005", kind: .nationalID, gender: .female),
        ValidExample(raw: "AA00000009", value: "AA00000009", kind: .residentCertificate, gender: .male),
        ValidExample(raw: "FD12345676", value: "FD12345676", kind: .residentCertificate, gender: .female),
        ValidExample(raw: "A800000014", value: "A800000014", kind: .unifiedID, gender: .male),
        ValidExample(raw: "A891234566", value: "A891234566", kind: .unifiedID, gender: .male),
        ValidExample(raw: "Ａ１２３４５６７８９", value: "A123456789", kind: .nationalID, gender: .male),
        ValidExample(raw: " a123456789 ", value: "A123456789", kind: .nationalID, gender: .male),
        ValidExample(raw: "\u{3000}a123 456 789\r\n", value: "A123456789", kind: .nationalID, gender: .male),
        ValidExample(raw: "fd12345676", value: "FD12345676", kind: .residentCertificate, gender: .female),
    ]

    @Test("Valid numbers parse with their kind and gender", arguments: validExamples)
    func validExample(_ example: ValidExample) throws {
        let number = try IdentityNumber.parse(example.raw).get()
        #expect(number.value == example.value)
        #expect(number.kind == example.kind)
        #expect(number.genderFromNumber == example.gender)
        #expect(number.issuingCountry == nil)
        #expect(number.isROCNational == (example.kind == .nationalID))
    }

    @Test("Normalization folds width, case and spaces")
    func normalization() {
        #expect(IdentityNumber.normalize("Ａ１２３４５６７８９") == "A123456789")
        #expect(IdentityNumber.normalize(" a123456789 ") == "A123456789")
        #expect(IdentityNumber.normalize("\ta 12\u{3000}3456789\n") == "A123456789")
        #expect(IdentityNumber.normalize("ｘ１２３４５６７") == "X1234567")
    }

    @Test("Plain ASCII takes a short way with the same result as Unicode folding")
    func asciiNormalizationMatchesFolding() {
        // Every ASCII character, alone and among digits, including the whitespace and control characters.
        var samples = (0..<0x80).map { String(UnicodeScalar(UInt8($0))) }
        samples += (0..<0x80).map { "a12\(UnicodeScalar(UInt8($0)))456789" }
        samples += ["", " ", "\r\n", "a123456789", "f 1 2 3 4 5 6 7 8 9", "\u{0B}\u{0C}x1234567\u{1F}", "AbC-xyz_09~"]
        for raw in samples {
            let folded = String(raw.precomposedStringWithCompatibilityMapping.uppercased().filter { !$0.isWhitespace })
            #expect(IdentityNumber.normalize(raw) == folded, "\(raw.debugDescription)")
        }
    }

    @Test("Each malformed number reports its specific error", arguments: [
        ("", IdentityNumberError.empty),
        ("   \n", .empty),
        ("A12345678", .length(9)),
        ("A1234567890", .length(11)),
        ("A", .length(1)),
        ("1123456789", .firstLetter),
        ("É123456789", .firstLetter),
        ("A323456789", .secondCharacter),
        ("AE00000001", .secondCharacter),
        ("A023456789", .secondCharacter),
        ("A12345678X", .invalidCharacter(position: 10)),
        ("A1234A6789", .invalidCharacter(position: 6)),
        ("A1٢٣٤٥٦٧٨٩", .invalidCharacter(position: 3)),
        ("A123456788", .checksum),
        ("A800000015", .checksum),
        ("AA00000008", .checksum),
        // Precedence: the earliest rule that fails wins.
        ("1E3456789X", .firstLetter),
        ("AE3456789X", .secondCharacter),
        ("A1X456789Y", .invalidCharacter(position: 3)),
        // Passport-like input is never guessed to be a passport.
        ("X12345678", .length(9)),
        ("300123456", .length(9)),
        ("1234567890", .firstLetter),
    ] as [(String, IdentityNumberError)])
    func malformed(raw: String, expected: IdentityNumberError) {
        #expect(IdentityNumber.parse(raw).failure == expected)
    }

    @Test("Error codes are stable words")
    func errorCodes() {
        let codes: [(IdentityNumberError, String)] = [
            (.empty, "id_empty"),
            (.length(3), "id_length"),
            (.invalidCharacter(position: 4), "id_character"),
            (.firstLetter, "id_first_letter"),
            (.secondCharacter, "id_second_character"),
            (.checksum, "id_checksum"),
            (.issuingCountryMissing, "id_country_missing"),
            (.kindMismatch(actual: .unifiedID), "id_kind_mismatch"),
            (.kindMismatch(actual: .residentCertificate), "id_kind_mismatch"),
            (.kindMismatch(actual: .nationalID), "id_kind_mismatch_national_id"),
        ]
        for (error, code) in codes {
            #expect(error.code == code)
        }
    }

    // MARK: Kinds

    @Test("Choosing national ID refuses a valid resident number")
    func nationalIDKindMismatch() {
        #expect(IdentityNumber.parse("AA00000009", as: .nationalID).failure == .kindMismatch(actual: .residentCertificate))
        #expect(IdentityNumber.parse("A800000014", as: .nationalID).failure == .kindMismatch(actual: .unifiedID))
        #expect(IdentityNumber.parse("A123456789", as: .nationalID).success?.kind == .nationalID)
    }

    @Test("Choosing a resident kind refuses a national ID")
    func residentKindMismatch() {
        #expect(IdentityNumber.parse("A123456789", as: .residentCertificate).failure == .kindMismatch(actual: .nationalID))
        #expect(IdentityNumber.parse("A123456789", as: .unifiedID).failure == .kindMismatch(actual: .nationalID))
    }

    @Test("Either resident kind accepts both formats and reports the real one")
    func residentFormatsAreInterchangeable() {
        #expect(IdentityNumber.parse("AA00000009", as: .unifiedID).success?.kind == .residentCertificate)
        #expect(IdentityNumber.parse("A800000014", as: .residentCertificate).success?.kind == .unifiedID)
        #expect(IdentityNumber.parse("A800000014", as: .unifiedID).success?.kind == .unifiedID)
    }

    @Test("A malformed number reports what is wrong with it before any kind mismatch")
    func validationBeforeKind() {
        #expect(IdentityNumber.parse("AA00000008", as: .nationalID).failure == .checksum)
        #expect(IdentityNumber.parse("A12345678", as: .residentCertificate).failure == .length(9))
    }

    @Test("An issuing country given with a Taiwan number is not kept")
    func countryIgnoredForTaiwanNumbers() {
        #expect(IdentityNumber.parse("A123456789", issuingCountry: "USA").success?.issuingCountry == nil)
    }

    // MARK: Passports

    @Test("Passports need 5–20 letters or digits and an issuing country")
    func passports() throws {
        let passport = try IdentityNumber.parse(" x1234567 ", as: .passport, issuingCountry: "usa").get()
        #expect(passport.value == "X1234567")
        #expect(passport.kind == .passport)
        #expect(passport.issuingCountry == "USA")
        #expect(passport.genderFromNumber == nil)
        #expect(!passport.isROCNational)

        #expect(IdentityNumber.parse("AB123", as: .passport, issuingCountry: "JP").success?.issuingCountry == "JP")
        #expect(IdentityNumber.parse("Ｅ１２３４５６７８", as: .passport, issuingCountry: "ＪＰＮ").success?.issuingCountry == "JPN")
        #expect(IdentityNumber.parse(String(repeating: "9", count: 20), as: .passport, issuingCountry: "DE").success != nil)
        // A Taiwan-shaped number is still a passport number when the reader says it is one.
        #expect(IdentityNumber.parse("A123456789", as: .passport, issuingCountry: "TWN").success?.kind == .passport)
    }

    @Test("Malformed passports report their specific error", arguments: [
        ("", "USA", IdentityNumberError.empty),
        ("AB12", "USA", .length(4)),
        (String(repeating: "1", count: 21), "USA", .length(21)),
        ("AB-12345", "USA", .invalidCharacter(position: 3)),
        ("ABÇ12345", "USA", .invalidCharacter(position: 3)),
        ("X1234567", nil, .issuingCountryMissing),
        ("X1234567", "", .issuingCountryMissing),
        ("X1234567", "U", .issuingCountryMissing),
        ("X1234567", "USAA", .issuingCountryMissing),
        ("X1234567", "U1A", .issuingCountryMissing),
    ] as [(String, String?, IdentityNumberError)])
    func malformedPassport(raw: String, country: String?, expected: IdentityNumberError) {
        #expect(IdentityNumber.parse(raw, as: .passport, issuingCountry: country).failure == expected)
    }

    // MARK: Presentation and storage

    @Test("Masking keeps 3 + 3 characters, or 2 + 2 for short passports")
    func masking() throws {
        #expect(try IdentityNumber.parse("A123456789").get().masked == "A12****789")
        #expect(try IdentityNumber.parse("AA00000009").get().masked == "AA0****009")
        #expect(try IdentityNumber.parse("AB123", as: .passport, issuingCountry: "JP").get().masked == "AB*23")
        #expect(try IdentityNumber.parse("123456789", as: .passport, issuingCountry: "TW").get().masked == "12*****89")
        #expect(try IdentityNumber.parse("ABCDEFGHIJKL", as: .passport, issuingCountry: "GB").get().masked == "ABC******JKL")
    }

    @Test("Interpolating a number into a log line shows only the masked form")
    func descriptionIsMasked() throws {
        let number = try IdentityNumber.parse("A123456789").get()
        #expect("\(number)" == "A12****789")
    }

    @Test("Codable round trip, and decoding re-validates")
    func codable() throws {
        let numbers = [
            try IdentityNumber.parse("A123456789").get(),
            try IdentityNumber.parse("FD12345676").get(),
            try IdentityNumber.parse("X1234567", as: .passport, issuingCountry: "USA").get(),
        ]
        let data = try JSONEncoder().encode(numbers)
        #expect(try JSONDecoder().decode([IdentityNumber].self, from: data) == numbers)

        let tampered = Data(#"{"value":"A123456788","kind":"nationalID"}"#.utf8)
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(IdentityNumber.self, from: tampered) }
        let wrongKind = Data(#"{"value":"AA00000009","kind":"unifiedID"}"#.utf8)
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(IdentityNumber.self, from: wrongKind) }
        let passportWithoutCountry = Data(#"{"value":"X1234567","kind":"passport"}"#.utf8)
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(IdentityNumber.self, from: passportWithoutCountry) }
    }

    // MARK: Generated numbers

    @Test("Check digit of the first nine characters")
    func checkDigit() {
        #expect(IdentityNumber.checkDigit(forFirstNine: "A12345678") == 9)
        #expect(IdentityNumber.checkDigit(forFirstNine: "AA0000000") == 9)
        #expect(IdentityNumber.checkDigit(forFirstNine: "A80000001") == 4)
        #expect(IdentityNumber.checkDigit(forFirstNine: "A1234567") == nil)
        #expect(IdentityNumber.checkDigit(forFirstNine: "AE0000000") == nil)
        #expect(IdentityNumber.checkDigit(forFirstNine: "1A0000000") == nil)
        #expect(IdentityNumber.makeValid(firstLetter: "A", second: "1", middle: "2345678") == "A123456789")
    }

    static let letters = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
    static let secondCharacters = Array("12ABCD89")
    static let digits = Array("0123456789")

    static func expectedKind(second: Character) -> IdentityDocumentKind {
        switch second {
        case "1", "2": .nationalID
        case "A", "B", "C", "D": .residentCertificate
        default: .unifiedID
        }
    }

    static func expectedGender(second: Character) -> Gender {
        "1AC8".contains(second) ? .male : .female
    }

    /// First letters that share `(d1 + 9 × d2) mod 10` of their code, so swapping one for another
    /// leaves the checksum unchanged. Worked out by hand from the letter table; every letter has a partner.
    static let firstLetterChecksumGroups: [Set<Character>] = [
        ["B", "N", "Z"], // 0
        ["A", "M", "W"], // 1
        ["K", "L", "Y"], // 2
        ["J", "V", "X"], // 3
        ["H", "U"], // 4
        ["G", "T"], // 5
        ["F", "S"], // 6
        ["E", "R"], // 7
        ["D", "O", "Q"], // 8
        ["C", "I", "P"], // 9
    ]

    /// Second characters whose checksum values differ by a multiple of 5 (weight 8 × 5 ≡ 0 mod 10):
    /// 1 and B both count 1, 2 and C both count 2, D counts 3 and 8 counts 8.
    static let secondCharacterChecksumPairs: [Set<Character>] = [["1", "B"], ["2", "C"], ["D", "8"]]

    /// For positions 3–10, the differences |new − old| that the checksum cannot see: weight × difference ≡ 0 (mod 10).
    /// Weights are 7, 6, 5, 4, 3, 2, 1, 1, and 6, 5, 4 and 2 share a factor with 10.
    static let undetectedDigitDifferences: [Int: Set<Int>] = [
        3: [], 4: [5], 5: [2, 4, 6, 8], 6: [5], 7: [], 8: [5], 9: [], 10: [],
    ]

    /// Every valid number built from every first letter and second character with seeded random middles.
    static func generatedNumbers(middlesPerPair: Int) -> [String] {
        var generator = SplitMix64(seed: 0x0C_A2D5_1D)
        var numbers: [String] = []
        for letter in letters {
            for second in secondCharacters {
                for _ in 0..<middlesPerPair {
                    let middle = String(format: "%07d", Int.random(in: 0...9_999_999, using: &generator))
                    numbers.append(IdentityNumber.makeValid(firstLetter: letter, second: second, middle: middle))
                }
            }
        }
        return numbers
    }

    @Test("Generated numbers parse with the kind and gender of their second character")
    func generatedNumbersAreValid() throws {
        let numbers = Self.generatedNumbers(middlesPerPair: 40)
        #expect(numbers.count == 26 * 8 * 40)
        for number in numbers {
            let parsed = try IdentityNumber.parse(number).get()
            let second = Array(number)[1]
            #expect(parsed.value == number)
            #expect(parsed.kind == Self.expectedKind(second: second))
            #expect(parsed.genderFromNumber == Self.expectedGender(second: second))
        }
    }

    @Test("Every single-character change is caught exactly where the checksum can catch it")
    func singleCharacterChanges() {
        var undetectedByPosition = [Int: Int]()
        for number in Self.generatedNumbers(middlesPerPair: 12) {
            let original = Array(number)
            for position in 1...10 {
                let alphabet = switch position {
                case 1: Self.letters
                case 2: Self.secondCharacters
                default: Self.digits
                }
                let old = original[position - 1]
                for replacement in alphabet where replacement != old {
                    var changed = original
                    changed[position - 1] = replacement
                    let expectedUndetected: Bool = switch position {
                    case 1: Self.firstLetterChecksumGroups.contains { $0.contains(old) && $0.contains(replacement) }
                    case 2: Self.secondCharacterChecksumPairs.contains { $0.contains(old) && $0.contains(replacement) }
                    default: Self.undetectedDigitDifferences[position]!.contains(
                        abs(replacement.wholeNumberValue! - old.wholeNumberValue!))
                    }
                    let result = IdentityNumber.parse(String(changed))
                    if expectedUndetected {
                        #expect(result.success?.kind == Self.expectedKind(second: changed[1]),
                                "\(number) → \(String(changed)) should be another valid number")
                        undetectedByPosition[position, default: 0] += 1
                    } else {
                        #expect(result.failure == .checksum, "\(number) → \(String(changed))")
                    }
                }
            }
        }
        // Positions 3, 7, 9 and 10 have weights coprime to 10 and catch every change.
        #expect(undetectedByPosition[3] == nil)
        #expect(undetectedByPosition[7] == nil)
        #expect(undetectedByPosition[9] == nil)
        #expect(undetectedByPosition[10] == nil)
        for position in [1, 2, 4, 5, 6, 8] {
            #expect(undetectedByPosition[position, default: 0] > 0, "position \(position)")
        }
    }

    @Test("Concrete numbers that a one-character slip turns into another valid number")
    func knownUndetectedSlips() throws {
        // 4th character 3 → 8: weight 6 × 5 = 30.
        #expect(try IdentityNumber.parse("A128456789").get().kind == .nationalID)
        // 5th character 4 → 6: weight 5 × 2 = 10.
        #expect(try IdentityNumber.parse("A123656789").get().kind == .nationalID)
        // First letter A → M → W: codes 10, 21, 32 all weigh 1 (mod 10).
        #expect(try IdentityNumber.parse("M123456789").get().kind == .nationalID)
        #expect(try IdentityNumber.parse("W123456789").get().kind == .nationalID)
        // Second character 1 → B: a male national ID becomes a female old-format resident number.
        let resident = try IdentityNumber.parse("AB23456789").get()
        #expect(resident.kind == .residentCertificate)
        #expect(resident.genderFromNumber == .female)
    }

    @Test("Random candidates agree with the published checksum formula")
    func agreesWithReferenceFormula() {
        let codes: [Character: Int] = [
            "A": 10, "B": 11, "C": 12, "D": 13, "E": 14, "F": 15, "G": 16, "H": 17, "I": 34,
            "J": 18, "K": 19, "L": 20, "M": 21, "N": 22, "O": 35, "P": 23, "Q": 24, "R": 25,
            "S": 26, "T": 27, "U": 28, "V": 29, "W": 32, "X": 30, "Y": 31, "Z": 33,
        ]
        let secondValues: [Character: Int] = ["1": 1, "2": 2, "A": 0, "B": 1, "C": 2, "D": 3, "8": 8, "9": 9]
        func referenceIsValid(_ number: [Character]) -> Bool {
            let code = codes[number[0]]!
            let x = [secondValues[number[1]]!] + number[2...].map { $0.wholeNumberValue! }
            let sum = (code / 10) * 1 + (code % 10) * 9
                + x[0] * 8 + x[1] * 7 + x[2] * 6 + x[3] * 5 + x[4] * 4 + x[5] * 3 + x[6] * 2 + x[7] * 1 + x[8] * 1
            return sum % 10 == 0
        }
        var generator = SplitMix64(seed: 42)
        var validCount = 0
        for _ in 0..<20_000 {
            let candidate = [Self.letters.randomElement(using: &generator)!, Self.secondCharacters.randomElement(using: &generator)!]
                + (0..<8).map { _ in Self.digits.randomElement(using: &generator)! }
            let valid = referenceIsValid(candidate)
            let result = IdentityNumber.parse(String(candidate))
            #expect((result.success != nil) == valid, "\(String(candidate))")
            if !valid { #expect(result.failure == .checksum) }
            if valid { validCount += 1 }
        }
        // One candidate in ten should be valid; a broken generator or formula would drift far from that.
        #expect((1_700...2_300).contains(validCount))
    }
}
