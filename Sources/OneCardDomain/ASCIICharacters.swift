import Foundation

// Identity and card numbers are ASCII by definition; Character's own isNumber and isLetter would also
// accept other scripts' digits and letters, which no desk scanner or registry would recognise.

/// The value of an ASCII digit; nil for anything else, including other scripts' digits.
func asciiDigit(_ character: Character) -> Int? {
    guard let ascii = character.asciiValue, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(ascii) else { return nil }
    return Int(ascii - UInt8(ascii: "0"))
}

func isASCIIUppercaseLetter(_ character: Character) -> Bool {
    guard let ascii = character.asciiValue else { return false }
    return (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(ascii)
}

func isASCIILetterOrDigit(_ character: Character) -> Bool {
    guard let ascii = character.asciiValue else { return false }
    return (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(ascii)
        || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(ascii)
        || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(ascii)
}
