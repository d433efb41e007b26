import Foundation
import OneCardDomain

/// `onecard roster check FILE`: the JSON of INTERFACES.md and the exit code, without any app or database,
/// so the command stays a thin wrapper and this stays testable.
public enum RosterCheck {
    public struct Outcome: Sendable, Equatable {
        /// One line of JSON, to print on standard output.
        public var json: String
        /// 0 every row valid, 1 some row invalid (or the header is incomplete), 2 the file cannot be read.
        public var exitCode: Int32
    }

    /// Checks the file at `path`. The JSON's `file` is the path's last component.
    ///
    /// Readable: `{"file":…,"format":…,"rows":N,"valid":N,"errors":[{"row":…,"column":…,"code":…,"message":…}]}`.
    /// Unreadable (exit 2): `{"file":…,"error":{"code":…,"message":…}}`, the message rendered by `message`
    /// from the error's `messageKey` (the texts live in the app's localization files).
    public static func run(path: String, checker: ReaderDataFileChecker,
                           message: (ReaderDataFileError) -> String) -> Outcome {
        let url = URL(fileURLWithPath: path)
        let file = url.lastPathComponent
        do {
            let report = try checker.check(contentsOf: url)
            return Outcome(json: json(file: file, report: report), exitCode: report.isClean ? 0 : 1)
        } catch {
            return Outcome(json: json(file: file, error: error, message: message(error)), exitCode: 2)
        }
    }

    public static func json(file: String, report: ReaderDataFileReport) -> String {
        var out = "{\"file\":\(quoted(file)),\"format\":\(quoted(report.format.rawValue)),\"rows\":\(report.rows),\"valid\":\(report.validRows.count),\"errors\":["
        for (index, error) in report.errors.enumerated() {
            if index > 0 { out += "," }
            out += "{\"row\":\(error.row),\"column\":\(quoted(error.column)),\"code\":\(quoted(error.code)),\"message\":\(quoted(error.message))}"
        }
        return out + "]}"
    }

    public static func json(file: String, error: ReaderDataFileError, message: String) -> String {
        "{\"file\":\(quoted(file)),\"error\":{\"code\":\(quoted(error.code)),\"message\":\(quoted(message))}}"
    }

    /// A JSON string literal (UTF-8 kept as is; quotes, backslashes and control characters escaped).
    static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{2028}": out += "\\u2028"
            case "\u{2029}": out += "\\u2029"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}
