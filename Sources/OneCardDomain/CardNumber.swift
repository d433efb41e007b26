import Foundation

/// Why a scanned or typed card number was refused; `code` is what the API and the desk screen report.
public enum CardNumberError: Error, Sendable, Equatable {
    /// Not 13 digits; carries the length that was given (after spaces and dashes are dropped).
    case length(Int)
    /// The character at this 1-based position (after spaces and dashes are dropped) is not a digit.
    case nonDigit(position: Int)
    /// The last digit does not match the Luhn check digit of the first twelve.
    case checkDigit

    /// A stable machine word for the error, safe to use in API responses and translations.
    public var code: String {
        switch self {
        case .length: "card_length"
        case .nonDigit: "card_character"
        case .checkDigit: "card_check_digit"
        }
    }
}

/// A library card number as printed on the card and read by the desk scanner:
/// a 4-digit library prefix, an 8-digit zero-padded serial and a Luhn check digit.
///
/// Values only come from `make` and `parse`, so holding one means the check digit is right.
public struct CardNumber: Sendable, Hashable, Codable, CustomStringConvertible {
    public static let prefixLength = 4
    public static let serialLength = 8
    /// Prefix, serial and check digit.
    public static let length = prefixLength + serialLength + 1
    /// The largest serial that fits in eight digits.
    public static let maximumSerial = 99_999_999

    /// All 13 digits.
    public let value: String

    private init(value: String) {
        self.value = value
    }

    /// The library's 4-digit prefix, e.g. `1001`.
    public var prefix: String { String(value.prefix(Self.prefixLength)) }

    /// The card's serial within its library.
    public var serial: Int {
        Int(value.dropFirst(Self.prefixLength).prefix(Self.serialLength))!
    }

    /// The Luhn check digit, the last digit of the number.
    public var checkDigit: Int { asciiDigit(value.last!)! }

    public var description: String { value }

    /// Issues the number for a new card. Traps on a prefix that is not four digits or a serial outside
    /// 0…99,999,999, as both come from configuration and the database, never from a reader.
    public static func make(prefix: String, serial: Int) -> CardNumber {
        precondition(prefix.count == prefixLength && prefix.allSatisfy { asciiDigit($0) != nil },
                     "Card prefix must be \(prefixLength) ASCII digits, got \(prefix)")
        precondition((0...maximumSerial).contains(serial),
                     "Card serial must be within 0...\(maximumSerial), got \(serial)")
        let serialDigits = String(serial)
        let payload = prefix + String(repeating: "0", count: serialLength - serialDigits.count) + serialDigits
        return CardNumber(value: payload + String(luhnCheckDigit(payload)))
    }

    /// Trims, folds full-width characters to ASCII (NFKC) and drops spaces and dashes people type or print.
    public static func normalize(_ raw: String) -> String {
        let folded = raw.precomposedStringWithCompatibilityMapping
        var scalars = String.UnicodeScalarView()
        for scalar in folded.unicodeScalars
        where !scalar.properties.isWhitespace && scalar.properties.generalCategory != .dashPunctuation {
            scalars.append(scalar)
        }
        return String(scalars)
    }

    /// Validates a number read by the scanner or typed at the desk.
    public static func parse(_ raw: String) -> Result<CardNumber, CardNumberError> {
        let characters = Array(normalize(raw))
        guard characters.count == length else { return .failure(.length(characters.count)) }
        for (offset, character) in characters.enumerated() where asciiDigit(character) == nil {
            return .failure(.nonDigit(position: offset + 1))
        }
        let value = String(characters)
        guard luhnCheckDigit(String(value.dropLast())) == asciiDigit(characters[length - 1]) else {
            return .failure(.checkDigit)
        }
        return .success(CardNumber(value: value))
    }

    /// The Luhn (mod 10) check digit to append to `digits`. Traps on non-digits: callers pass digits they built.
    public static func luhnCheckDigit(_ digits: String) -> Int {
        var sum = 0
        // The rightmost payload digit is doubled, because the check digit will sit to its right.
        for (offset, character) in digits.reversed().enumerated() {
            guard let digit = asciiDigit(character) else {
                preconditionFailure("Luhn input must be ASCII digits, got \(digits)")
            }
            if offset.isMultiple(of: 2) {
                let doubled = digit * 2
                sum += doubled > 9 ? doubled - 9 : doubled
            } else {
                sum += digit
            }
        }
        return (10 - sum % 10) % 10
    }

    // MARK: Codable

    /// Decodes from the plain 13-digit string and re-validates it.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let raw = try container.decode(String.self)
        switch CardNumber.parse(raw) {
        case .success(let number):
            self = number
        case .failure(let error):
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "Invalid card number: \(error.code)")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(value)
    }
}
