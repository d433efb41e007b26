/// Why a sealed file could not be used.
enum SealedFileError: UserFacingError, Equatable {
    /// Erased (after its retention period, or with its record); it did exist, so "gone", not "not found".
    case gone
    /// The data directory refused the write: an operator's problem, never the visitor's.
    case cannotWrite(String)

    var code: String {
        switch self {
        case .gone: "file_gone"
        case .cannotWrite: "internal"
        }
    }

    /// The generic texts the error page has always shown for these.
    var messageKey: String {
        switch self {
        case .gone: "error.bad_request"
        case .cannotWrite: "error.internal"
        }
    }
}
