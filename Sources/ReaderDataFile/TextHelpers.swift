import Foundation

// Cell text is mostly short ASCII or CJK. Foundation's trimming and Character-based whitespace tests
// go through NSString and grapheme breaking on Linux, which dominated the time of a 50,000-row check;
// these helpers look at Unicode scalars and return the string itself when there is nothing to change.

@inline(__always)
func isSpaceScalar(_ scalar: Unicode.Scalar) -> Bool {
    switch scalar.value {
    case 0x09...0x0D, 0x20, 0x85, 0xA0, 0x1680, 0x2000...0x200B, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000, 0xFEFF:
        return true
    default:
        return false
    }
}

extension String {
    /// Without leading and trailing white space (including the ideographic space U+3000 and a stray BOM).
    var trimmedCell: String {
        let utf8 = self.utf8
        guard let first = utf8.first, let last = utf8.last else { return self }
        if first > 0x20, first < 0x80, last > 0x20, last < 0x80 { return self }
        let scalars = unicodeScalars
        var start = scalars.startIndex
        var end = scalars.endIndex
        while start < end, isSpaceScalar(scalars[start]) { start = scalars.index(after: start) }
        while end > start {
            let before = scalars.index(before: end)
            guard isSpaceScalar(scalars[before]) else { break }
            end = before
        }
        if start == scalars.startIndex, end == scalars.endIndex { return self }
        return String(scalars[start..<end])
    }

    /// Whether the string is empty or only white space.
    var isBlankCell: Bool {
        guard let first = utf8.first else { return true }
        if first > 0x20, first < 0x80 { return false }
        return unicodeScalars.allSatisfy(isSpaceScalar)
    }

    var isASCIIOnly: Bool {
        utf8.allSatisfy { $0 < 0x80 }
    }

    /// NFKC (full-width letters, digits and punctuation to ASCII), skipped for ASCII text, which it would not change.
    var compatibilityFolded: String {
        isASCIIOnly ? self : precomposedStringWithCompatibilityMapping
    }

    /// Whether the UTF-8 bytes contain `needle` (ASCII).
    func containsBytes(_ needle: StaticString) -> Bool {
        let count = needle.utf8CodeUnitCount
        let pattern = needle.utf8Start
        var copy = self
        return copy.withUTF8 { bytes in
            guard bytes.count >= count else { return false }
            outer: for start in 0...(bytes.count - count) {
                for offset in 0..<count where bytes[start + offset] != pattern[offset] { continue outer }
                return true
            }
            return false
        }
    }
}
