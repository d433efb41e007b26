import Foundation

/// The HTML part of an email, made from the same localized text as its plain part so the two never say
/// different things (issue #17 item 5). The text is escaped and laid out in paragraphs with inline styles
/// (mail programs drop style sheets); a link the template names a button for (`mail.<template>.button.<name>`)
/// becomes a button-like link with that text ("Reset your password") instead of a long raw address, which
/// stays in the plain part. Written by hand: it is a few lines of escaping, and no package here renders mail.
enum MailHTML {
    /// Stands for value `name` in the text until the text is escaped: private-use characters, which no
    /// template or value contains and escaping leaves alone.
    static func marker(_ name: String) -> String { "\u{E000}\(name)\u{E001}" }

    static func escape(_ text: String) -> String {
        var escaped = ""
        escaped.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&#39;"
            default: escaped.append(character)
            }
        }
        return escaped
    }

    private static let buttonStyle = "display:inline-block;padding:12px 24px;min-height:20px;background:#1d4f91;color:#ffffff;"
        + "text-decoration:none;border-radius:6px;font-weight:bold;font-size:16px;line-height:20px"
    private static let linkStyle = "color:#1d4f91;text-decoration:underline;word-break:break-all"

    /// `skeleton` is the body template filled with `marker(name)` for every value; `values` the values
    /// themselves (a one-time link still as its placeholder, put back at delivery by `OutboxSecrets`);
    /// `buttons` the button text of the values shown as buttons.
    static func render(skeleton: String, values: [String: String], buttons: [String: String],
                       title: String, language: String) -> String {
        let paragraphs = skeleton.replacingOccurrences(of: "\r\n", with: "\n")
            .components(separatedBy: "\n\n")
            .map { $0.trimmingCharacters(in: .newlines) }
            .filter { !$0.isEmpty }
        var body = ""
        for paragraph in paragraphs {
            let lines = paragraph.components(separatedBy: "\n").map { fill(escape($0), values: values, buttons: buttons) }
            body += "<p style=\"margin:0 0 16px 0\">\(lines.joined(separator: "<br>\n"))</p>\n"
        }
        return """
            <!DOCTYPE html>
            <html lang="\(language)">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(escape(title))</title>
            </head>
            <body style="margin:0;padding:0;background:#f4f4f4">
            <div style="max-width:600px;margin:0 auto;padding:24px 20px;background:#ffffff;color:#1a1a1a;font-family:-apple-system,'Segoe UI','PingFang TC','Noto Sans TC','Microsoft JhengHei',sans-serif;font-size:16px;line-height:1.6">
            \(body)</div>
            </body>
            </html>

            """
    }

    /// Puts each value where its marker stands: a button, a link (a value that is a web address), or text.
    private static func fill(_ line: String, values: [String: String], buttons: [String: String]) -> String {
        var output = ""
        var rest = Substring(line)
        while let open = rest.firstIndex(of: "\u{E000}"), let close = rest[open...].firstIndex(of: "\u{E001}") {
            output += rest[..<open]
            let name = String(rest[rest.index(after: open)..<close])
            let value = values[name] ?? ""
            if let label = buttons[name] {
                output += "<a href=\"\(escape(value))\" style=\"\(buttonStyle)\">\(escape(label))</a>"
            } else if value.hasPrefix("https://") || value.hasPrefix("http://") {
                output += "<a href=\"\(escape(value))\" style=\"\(linkStyle)\">\(escape(value))</a>"
            } else {
                output += escape(value)
            }
            rest = rest[rest.index(after: close)...]
        }
        return output + rest
    }
}
