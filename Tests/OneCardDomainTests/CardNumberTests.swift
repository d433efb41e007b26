import Foundation
import Testing
@testable import OneCardDomain

@Suite("Card numbers")
struct CardNumberTests {
    @Test("Luhn check digit of known vectors")
    func luhnVectors() {
        // The textbook example: 7992739871 → 3.
        #expect(CardNumber.luhnCheckDigit("7992739871") == 3)
        #expect(CardNumber.luhnCheckDigit("") == 0)
        #expect(CardNumber.luhnCheckDigit("0") == 0)
        #expect(CardNumber.luhnCheckDigit("1") == 8)
        #expect(CardNumber.luhnCheckDigit("100100000001") == 5)
    }

    @Test("make builds prefix, zero-padded serial and check digit")
    func make() {
        let card = CardNumber.make(prefix: "1001", serial: 1)
        #expect(card.value == "1001000000015")
        #expect(card.description == "1001000000015")
        #expect(card.prefix == "1001")
        #expect(card.serial == 1)
        #expect(card.checkDigit == 5)
        #expect(CardNumber.make(prefix: "0000", serial: 0).value == "0000000000000")
        #expect(CardNumber.make(prefix: "9999", serial: CardNumber.maximumSerial).value.count == 13)
    }

    @Test("Round trip through parse for seeded random cards")
    func roundTrip() throws {
        var generator = SplitMix64(seed: 7)
        for _ in 0..<2_000 {
            let prefix = String(format: "%04d", Int.random(in: 0...9_999, using: &generator))
            let serial = Int.random(in: 0...CardNumber.maximumSerial, using: &generator)
            let card = CardNumber.make(prefix: prefix, serial: serial)
            let parsed = try CardNumber.parse(card.value).get()
            #expect(parsed == card)
            #expect(parsed.prefix == prefix)
            #expect(parsed.serial == serial)
        }
    }

    @Test("Parsing ignores spaces, dashes and full-width digits")
    func normalization() {
        let expected = CardNumber.make(prefix: "1001", serial: 1)
        #expect(CardNumber.parse(" 1001-0000-0001-5 ").success == expected)
        #expect(CardNumber.parse("1001 0000 0001 5\r\n").success == expected)
        #expect(CardNumber.parse("１００１－００００－０００１－５").success == expected)
        #expect(CardNumber.parse("1001–0000–0001–5").success == expected)
    }

    @Test("Each malformed number reports its specific error", arguments: [
        ("", CardNumberError.length(0)),
        ("100100000001", .length(12)),
        ("10010000000155", .length(14)),
        ("1001A00000015", .nonDigit(position: 5)),
        ("1001-0000-0001-X", .nonDigit(position: 13)),
        ("1001٠00000015", .nonDigit(position: 5)),
        ("1001000000016", .checkDigit),
    ] as [(String, CardNumberError)])
    func malformed(raw: String, expected: CardNumberError) {
        #expect(CardNumber.parse(raw).failure == expected)
    }

    @Test("Error codes are stable words")
    func errorCodes() {
        #expect(CardNumberError.length(3).code == "card_length")
        #expect(CardNumberError.nonDigit(position: 1).code == "card_character")
        #expect(CardNumberError.checkDigit.code == "card_check_digit")
    }

    /// Seeded cards, plus serials full of 0–9 neighbours so the transposition the Luhn check misses actually occurs.
    static func sampleCards() -> [CardNumber] {
        var generator = SplitMix64(seed: 2025)
        var cards = (0..<300).map { _ in
            CardNumber.make(
                prefix: String(format: "%04d", Int.random(in: 0...9_999, using: &generator)),
                serial: Int.random(in: 0...CardNumber.maximumSerial, using: &generator))
        }
        cards += [
            CardNumber.make(prefix: "1001", serial: 90_909_090),
            CardNumber.make(prefix: "0909", serial: 9_090_909),
            CardNumber.make(prefix: "9000", serial: 99),
        ]
        return cards
    }

    @Test("Every single-digit change is caught")
    func singleDigitChanges() {
        for card in Self.sampleCards() {
            let digits = Array(card.value)
            for position in digits.indices {
                for replacement in "0123456789" where replacement != digits[position] {
                    var changed = digits
                    changed[position] = replacement
                    #expect(CardNumber.parse(String(changed)).failure == .checkDigit, "\(card) → \(String(changed))")
                }
            }
        }
    }

    @Test("Every adjacent transposition is caught except 0 ↔ 9")
    func adjacentTranspositions() {
        var missed = 0
        for card in Self.sampleCards() {
            let digits = Array(card.value)
            for position in 0..<(digits.count - 1) where digits[position] != digits[position + 1] {
                var swapped = digits
                swapped.swapAt(position, position + 1)
                let result = CardNumber.parse(String(swapped))
                // Doubling maps 0 → 0 and 9 → 18 → 9, so d − 2d (mod 10) is the same for both and the sum does not move.
                if Set([digits[position], digits[position + 1]]) == ["0", "9"] {
                    #expect(result.success != nil, "\(card) → \(String(swapped)) is a known Luhn blind spot")
                    missed += 1
                } else {
                    #expect(result.failure == .checkDigit, "\(card) → \(String(swapped))")
                }
            }
        }
        #expect(missed > 0)
    }

    @Test("Codable as a plain string, and decoding re-validates")
    func codable() throws {
        let card = CardNumber.make(prefix: "1001", serial: 42)
        let data = try JSONEncoder().encode([card])
        #expect(String(decoding: data, as: UTF8.self) == #"["\#(card.value)"]"#)
        #expect(try JSONDecoder().decode([CardNumber].self, from: data) == [card])
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode([CardNumber].self, from: Data(#"["1001000000016"]"#.utf8))
        }
    }

    @Test("make refuses a malformed prefix")
    func makeTrapsOnBadPrefix() async {
        await #expect(processExitsWith: .failure) {
            _ = CardNumber.make(prefix: "10A1", serial: 1)
        }
        await #expect(processExitsWith: .failure) {
            _ = CardNumber.make(prefix: "1001", serial: CardNumber.maximumSerial + 1)
        }
    }
}
