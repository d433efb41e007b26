import Fluent
import Foundation
import OneCardDomain
import ReaderDataFile
import SQLKit
import Vapor

/// Messages and downloads shared by the group pages.
enum GroupMessages {
    /// One message per field (the first problem), naming the field where the code alone would not.
    static func fieldMessages(_ errors: [FieldError], _ req: Request) -> [String: String] {
        var messages: [String: String] = [:]
        for error in errors where messages[error.field] == nil {
            if error.code.hasPrefix("upload_") || error.code == "file_required" {
                messages[error.field] = req.t("group.error.file", ["field": req.t("group.field.\(error.field)"),
                                                                   "problem": req.t("group.error.\(error.code)")])
            } else {
                messages[error.field] = req.t("group.error.\(error.code)")
            }
        }
        return messages
    }

    enum FileType {
        case xlsx, ods

        var mediaType: HTTPMediaType {
            switch self {
            case .xlsx: HTTPMediaType(type: "application", subType: "vnd.openxmlformats-officedocument.spreadsheetml.sheet")
            case .ods: HTTPMediaType(type: "application", subType: "vnd.oasis.opendocument.spreadsheet")
            }
        }
    }

    static func download(_ bytes: Data, type: FileType, name: String) -> Response {
        download(bytes, mediaType: type.mediaType, name: name)
    }

    /// An attachment (never shown inline), with an RFC 6266 file name that may hold Chinese. A browser that
    /// shows it anyway (a PDF opened from the downloads bar) meets the sandbox policy of uploaded files, as
    /// these are files people sent or files made from them.
    static func download(_ bytes: Data, mediaType: HTTPMediaType, name: String) -> Response {
        var headers = HTTPHeaders()
        headers.contentType = mediaType
        let ascii = String(name.unicodeScalars.map { $0.isASCII && $0.value >= 0x20 && $0 != "\"" && $0 != "\\" ? Character($0) : "_" })
        let encoded = name.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: ".-_"))) ?? ascii
        headers.replaceOrAdd(name: .contentDisposition, value: "attachment; filename=\"\(ascii)\"; filename*=UTF-8''\(encoded)")
        headers.replaceOrAdd(name: .cacheControl, value: "no-store")
        headers.replaceOrAdd(name: "Content-Security-Policy", value: SecurityHeadersMiddleware.uploadedFilePolicy)
        return Response(status: .ok, headers: headers, body: .init(data: bytes))
    }
}

extension GroupMessages {
    /// A row error of a reader data file: the checker's own zh-TW message (it names the row's details), or
    /// the English text of its code.
    static func rowErrorMessage(_ error: RowError, locale: SiteLocale, localizer: Localizer) -> String {
        guard locale == .en else { return error.message }
        let key = "group.row_error.\(error.code)"
        return localizer.keys(for: .en).contains(key) ? localizer.text(key, locale) : error.message
    }
}
