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

    /// Escapes `& < > " '` byte by byte (issue #13 item 6: a batch of group cards renders 50,000 emails,
    /// and walking them as Characters was most of the import's own work). Every other byte is kept, so
    /// the text stays valid UTF-8.
    static func escape(_ text: String) -> String {
        guard text.utf8.contains(where: needsEscaping) else { return text }
        var escaped: [UInt8] = []
        escaped.reserveCapacity(text.utf8.count + 16)
        appendEscaped(text.utf8, to: &escaped)
        return String(decoding: escaped, as: UTF8.self)
    }

    private static func needsEscaping(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: "&") || byte == UInt8(ascii: "<") || byte == UInt8(ascii: ">") || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "'")
    }

    private static func appendEscaped(_ bytes: some Sequence<UInt8>, to output: inout [UInt8]) {
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "&"): output.append(contentsOf: "&amp;".utf8)
            case UInt8(ascii: "<"): output.append(contentsOf: "&lt;".utf8)
            case UInt8(ascii: ">"): output.append(contentsOf: "&gt;".utf8)
            case UInt8(ascii: "\""): output.append(contentsOf: "&quot;".utf8)
            case UInt8(ascii: "'"): output.append(contentsOf: "&#39;".utf8)
            default: output.append(byte)
            }
        }
    }

    private static let buttonStyle = "display:inline-block;padding:12px 24px;min-height:20px;background:#1d4f91;color:#ffffff;"
        + "text-decoration:none;border-radius:6px;font-weight:bold;font-size:16px;line-height:20px"
    private static let linkStyle = "color:#1d4f91;text-decoration:underline;word-break:break-all"

    /// `skeleton` is the body template filled with `marker(name)` for every value; `values` the values
    /// themselves (a one-time link still as its placeholder, put back at delivery by `OutboxSecrets`);
    /// `buttons` the button text of the values shown as buttons.
    static func render(skeleton: String, values: [String: String], buttons: [String: String],
                       title: String, language: String) -> String {
        var body: [UInt8] = []
        body.reserveCapacity(skeleton.utf8.count * 2)
        for paragraph in paragraphs(of: skeleton) {
            body.append(contentsOf: "<p style=\"margin:0 0 16px 0\">".utf8)
            for (index, line) in paragraph.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).enumerated() {
                if index > 0 { body.append(contentsOf: "<br>\n".utf8) }
                fill(line, values: values, buttons: buttons, into: &body)
            }
            body.append(contentsOf: "</p>\n".utf8)
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
            \(String(decoding: body, as: UTF8.self))</div>
            </body>
            </html>

            """
    }

    /// The paragraphs of a text as UTF-8: CRLF read as LF, split at each blank line ("\n\n"), line ends
    /// (LF, VT, FF, CR, NEL, LS, PS) trimmed from both ends of each, empty ones left out.
    static func paragraphs(of text: String) -> [ArraySlice<UInt8>] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        var previous: UInt8 = 0
        for byte in text.utf8 {
            if byte == UInt8(ascii: "\n"), previous == UInt8(ascii: "\r") { bytes[bytes.count - 1] = byte } else { bytes.append(byte) }
            previous = byte
        }
        var paragraphs: [ArraySlice<UInt8>] = []
        var start = 0, index = 0
        while index < bytes.count {
            if bytes[index] == UInt8(ascii: "\n"), index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "\n") {
                paragraphs.append(bytes[start..<index])
                index += 2
                start = index
            } else {
                index += 1
            }
        }
        paragraphs.append(bytes[start..<bytes.count])
        return paragraphs.map(trimmingLineEnds).filter { !$0.isEmpty }
    }

    private static func trimmingLineEnds(_ text: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        var text = text
        while true {
            if let last = text.last, (0x0A...0x0D).contains(last) { text.removeLast() }
            else if text.count >= 2, text.suffix(2).elementsEqual([0xC2, 0x85]) { text.removeLast(2) }
            else if text.count >= 3, text.suffix(3).elementsEqual([0xE2, 0x80, 0xA8]) || text.suffix(3).elementsEqual([0xE2, 0x80, 0xA9]) { text.removeLast(3) }
            else { break }
        }
        while true {
            if let first = text.first, (0x0A...0x0D).contains(first) { text.removeFirst() }
            else if text.starts(with: [0xC2, 0x85]) { text.removeFirst(2) }
            else if text.starts(with: [0xE2, 0x80, 0xA8]) || text.starts(with: [0xE2, 0x80, 0xA9]) { text.removeFirst(3) }
            else { break }
        }
        return text
    }

    /// Puts each value where its marker stands: a button, a link (a value that is a web address), or
    /// text; the line's own text is escaped.
    private static func fill(_ line: ArraySlice<UInt8>, values: [String: String], buttons: [String: String], into output: inout [UInt8]) {
        // U+E000 and U+E001 in UTF-8.
        let open: [UInt8] = [0xEE, 0x80, 0x80], close: [UInt8] = [0xEE, 0x80, 0x81]
        var rest = line
        while let start = rest.firstRange(of: open), let end = rest[start.upperBound...].firstRange(of: close) {
            appendEscaped(rest[..<start.lowerBound], to: &output)
            let name = String(decoding: rest[start.upperBound..<end.lowerBound], as: UTF8.self)
            let value = values[name] ?? ""
            if let label = buttons[name] {
                output.append(contentsOf: "<a href=\"\(escape(value))\" style=\"\(buttonStyle)\">\(escape(label))</a>".utf8)
            } else if value.hasPrefix("https://") || value.hasPrefix("http://") {
                output.append(contentsOf: "<a href=\"\(escape(value))\" style=\"\(linkStyle)\">\(escape(value))</a>".utf8)
            } else {
                appendEscaped(value.utf8, to: &output)
            }
            rest = rest[end.upperBound...]
        }
        appendEscaped(rest, to: &output)
    }
}
