import OneCardDomain
import ReaderDataFile
import UploadInspection
import Vapor

/// How large a request body a route accepts, chosen by what the route takes. Every route that takes a
/// body declares one where it is declared (`routes.post(.signIn, maximumBytes: .form, …)`); nothing falls
/// back to a large default. A body over the limit is refused with 413 before it is read: at once when
/// its `Content-Length` says so (`BodyLimitMiddleware`), otherwise as soon as the streamed bytes cross it.
struct BodyLimit: Sendable, Hashable {
    let bytes: Int

    /// Sign-in, passwords, decisions and every other form of plain fields: a few kilobytes of text.
    static let form = BodyLimit(bytes: 16 * 1024)
    /// The citizen digital certificate form: a certificate chain and a signature in base64, and the fields.
    static let certificateForm = BodyLimit(bytes: 64 * 1024)
    /// A JSON request to `/api/v1` (a card application is well under 2 KB).
    static let json = BodyLimit(bytes: 64 * 1024)
    /// 數位借閱證: every identity document slot filled to the upload policy's limit, and the form around them.
    static let identityDocuments = BodyLimit(
        bytes: IdentityDocumentSlot.allCases.count * UploadPolicy().maximumBytes + formOverhead)
    /// A group application: its two documents at the group upload policy's limit, and the form.
    static let groupDocuments = BodyLimit(bytes: 2 * GroupApplicationService.documentPolicy.maximumBytes + formOverhead)
    /// A reader data file at the checker's limit (64 MiB), and the form.
    static let readerDataFile = BodyLimit(bytes: ReaderDataFileChecker.defaultMaximumFileBytes + formOverhead)

    /// Multipart boundaries, part headers and the text fields of a form with files.
    private static let formOverhead = 1024 * 1024

    /// Where a route keeps its limit (`Route.userInfo`).
    static let userInfoKey: AnySendableHashable = "onecard.bodyLimit"

    /// The limit as people read it: "16 KB", "51 MB" (binary units, rounded up, as the limit is a ceiling).
    var readable: String {
        let mebibyte = 1024 * 1024
        if bytes >= mebibyte { return "\((bytes + mebibyte - 1) / mebibyte) MB" }
        return "\((bytes + 1023) / 1024) KB"
    }
}

extension Route {
    /// The limit the route declared; nil for routes that take no body (GET and the like).
    var bodyLimit: BodyLimit? { userInfo[BodyLimit.userInfoKey] as? BodyLimit }
}
