/// Why a card number could not be drawn as a barcode.
public enum BarcodeError: Error, Sendable, Equatable {
    /// Nothing to draw.
    case empty
    /// The character at this 0-based offset is not printable ASCII (space through `~`), the only
    /// characters both symbologies carry the same way on every scanner.
    case unsupportedCharacter(offset: Int)
    /// Longer than 64 characters; carries the number of characters given.
    case tooLong(Int)

    /// A stable machine word for the error, safe to use in API responses and translations.
    public var code: String {
        switch self {
        case .empty: "barcode_empty"
        case .unsupportedCharacter: "barcode_character"
        case .tooLong: "barcode_length"
        }
    }
}
