import Foundation

/// The one rule for every free-text personal field (#12 item 11): people's names (applicant, head of household,
/// guardian, contact person, a requested new name, a roster row), organization names and job titles.
///
/// What is kept: letters and combining marks of any script, digits, spaces, and the punctuation names really
/// use (`PersonalText.punctuation`). What is refused: every control character (C0 and C1, so also NUL, TAB,
/// CR, LF, ESC, U+001F and DEL), invisible format characters (zero-width and bidirectional controls), line and
/// paragraph separators, private-use and unassigned code points, and symbols and punctuation that have no
/// place in a name (`<`, `>`, `|`, `;`, quotes …): they break the desk's display, the SIP2 and reader-file
/// exports, and mails. Refused, not removed: the person sees what was wrong and types it again.
///
/// Before checking, the text is NFC-normalized (so one name is stored one way) and spaces of any width at
/// either end are dropped; spaces inside (also the ideographic U+3000) are kept as typed.
public enum PersonalText {
    public enum Failure: Error, Sendable, Equatable {
        case empty
        /// A character outside the rule, or longer than the field allows.
        case invalid
    }

    /// Besides letters, marks, digits and spaces: the middle dots of transliterated names (· ‧ ・), the
    /// full stop, hyphens and apostrophes of Western and Indigenous names, brackets (an alias, a school's
    /// campus), commas and 、, and & and / in organization names and titles.
    public static let punctuation: Set<Unicode.Scalar> = Set("·‧・.-‐'’()（）,，、&/".unicodeScalars)

    /// The cleaned text, or why it cannot be stored; `maximumLength` counts characters as a person sees them.
    public static func clean(_ raw: String, maximumLength: Int) -> Result<String, Failure> {
        // Most names (陳小華, a roster's 50,000 of them) are only ASCII letters and digits or CJK unified
        // ideographs: NFC leaves those as they are, there is no space to trim, and each is allowed, so they
        // need none of the Unicode lookups below.
        if !raw.isEmpty, raw.unicodeScalars.allSatisfy(isPlain) {
            return raw.count <= maximumLength ? .success(raw) : .failure(.invalid)
        }
        let text = normalized(raw)
        if text.isEmpty { return .failure(.empty) }
        guard text.count <= maximumLength, text.unicodeScalars.allSatisfy(isAllowed) else { return .failure(.invalid) }
        return .success(text)
    }

    /// NFC, without spaces (of any width) at the ends. Nothing else is changed: spaces inside stay as typed
    /// (a roster may hold 陳  小華 on purpose), and a control character stays and is refused.
    public static func normalized(_ raw: String) -> String {
        let scalars = raw.precomposedStringWithCanonicalMapping.unicodeScalars
        let isSpace = { (scalar: Unicode.Scalar) in scalar.properties.generalCategory == .spaceSeparator }
        guard let first = scalars.firstIndex(where: { !isSpace($0) }), let last = scalars.lastIndex(where: { !isSpace($0) })
        else { return "" }
        return String(scalars[first...last])
    }

    /// A-Z, a-z, 0-9 and U+4E00–U+9FFF: letters and digits with no decomposition, composition or trimming.
    static func isPlain(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x30...0x39, 0x41...0x5A, 0x61...0x7A, 0x4E00...0x9FFF: true
        default: false
        }
    }

    static func isAllowed(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
             .nonspacingMark, .spacingMark, .enclosingMark, .decimalNumber, .letterNumber:
            true
        case .spaceSeparator:
            true
        default:
            punctuation.contains(scalar)
        }
    }
}
