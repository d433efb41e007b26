/// Texts the barcodes are tested with: the shapes of card numbers libraries issue, and the edges of what is allowed.
enum CardNumberSamples {
    static let short = "7X"
    static let typical = "A1234567890123"
    /// OneCard's own 13-digit number (prefix, serial, Luhn digit): an odd run of digits.
    static let oneCard = "1001000000015"
    static let evenDigits = "12345678901234"
    static let mixedLetters = "tpml-AbC9z_0042"
    static let digitsInTheMiddle = "AB123456CD"
    static let sixtyCharacters = "TPML-A1234567890123/NTPC-B98765432100/2025-12-31T23:59:59+08"
    /// Every printable ASCII character from space to underscore: exactly the 64-character limit.
    static let printableUpper = ##" !"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\]^_"##
    /// The rest of printable ASCII, backquote to tilde.
    static let printableLower = "`abcdefghijklmnopqrstuvwxyz{|}~"

    static let all = [
        short, typical, oneCard, evenDigits, mixedLetters, digitsInTheMiddle, sixtyCharacters,
        printableUpper, printableLower,
    ]
}
