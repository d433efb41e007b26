import Foundation

/// The one email address check (#12 item 11), for every form, the API, staff accounts and roster rows: an
/// ASCII addr-spec without comments or quoting — a dot-atom local part (letters, digits and RFC 5322's
/// `!#$%&'*+/=?^_`{|}~-`), one @, and a host name of letter/digit/hyphen labels ending in a top-level domain of
/// two or more letters. Anything else is refused, so control characters (NUL, ESC, DEL, CR/LF), spaces,
/// brackets and non-ASCII never reach the mail headers or the exports. Callers fold full-width input first
/// where people may type it (`precomposedStringWithCompatibilityMapping`).
public enum EmailAddressRule {
    public static func isValid(_ text: String) -> Bool {
        normalized(text) != nil
    }

    /// A practical address check (RFC 5321 dot-atom local part, host name with a top-level domain of letters);
    /// returns the address with the domain lower-cased.
    public static func normalized(_ text: String) -> String? {
        var copy = text
        return copy.withUTF8 { bytes -> String? in
            guard bytes.count <= 254, let at = bytes.firstIndex(of: UInt8(ascii: "@")),
                  bytes.lastIndex(of: UInt8(ascii: "@")) == at else { return nil }
            // Local part: dot-atom.
            guard (1...64).contains(at), bytes[0] != UInt8(ascii: "."), bytes[at - 1] != UInt8(ascii: ".") else { return nil }
            var previousDot = false
            for index in 0..<at {
                let byte = bytes[index]
                let dot = byte == UInt8(ascii: ".")
                guard !(dot && previousDot), isASCIIAlphanumeric(byte) || localSpecials[Int(byte)] else { return nil }
                previousDot = dot
            }
            // Domain: labels of letters, digits and inner hyphens; a top-level domain of two or more letters.
            let domainStart = at + 1
            guard bytes.count - domainStart <= 253 else { return nil }
            var labelStart = domainStart
            var labels = 0
            var hasUpper = false
            var index = domainStart
            while index <= bytes.count {
                if index == bytes.count || bytes[index] == UInt8(ascii: ".") {
                    let length = index - labelStart
                    guard (1...63).contains(length), bytes[labelStart] != UInt8(ascii: "-"),
                          bytes[index - 1] != UInt8(ascii: "-") else { return nil }
                    labels += 1
                    if index == bytes.count {
                        guard labels >= 2, length >= 2 else { return nil }
                        for position in labelStart..<index where !isASCIILetter(bytes[position]) { return nil }
                    }
                    labelStart = index + 1
                } else {
                    let byte = bytes[index]
                    guard isASCIIAlphanumeric(byte) || byte == UInt8(ascii: "-") else { return nil }
                    if (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) { hasUpper = true }
                }
                index += 1
            }
            guard hasUpper else { return text }
            return String(decoding: bytes[..<domainStart], as: UTF8.self)
                + String(decoding: bytes[domainStart...], as: UTF8.self).lowercased()
        }
    }

    /// The punctuation a dot-atom local part may hold, indexed by byte.
    private static let localSpecials: [Bool] = {
        var table = [Bool](repeating: false, count: 256)
        for byte in "!#$%&'*+/=?^_`{|}~-.".utf8 { table[Int(byte)] = true }
        return table
    }()

    private static func isASCIILetter(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
    }

    private static func isASCIIAlphanumeric(_ byte: UInt8) -> Bool {
        isASCIILetter(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }
}
