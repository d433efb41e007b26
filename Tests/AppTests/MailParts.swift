import Foundation
import XCTest
import TestSubprocess

/// A delivered email as Python's email package reads it (not our code): its headers, both parts, the
/// HTML part's `lang` and its links with their text.
struct MailParts: Decodable {
    struct Link: Decodable {
        var href: String
        var text: String
    }

    var contentType: String
    var parts: [String]
    var fromName: String
    var fromAddress: String
    var replyTo: String?
    var subject: String
    var plain: String
    var html: String?
    var htmlLanguage: String?
    var links: [Link]

    static let script = """
        import email, email.policy, json, sys
        from html.parser import HTMLParser

        class Links(HTMLParser):
            def __init__(self):
                super().__init__(); self.links = []; self.current = None; self.lang = None
            def handle_starttag(self, tag, attrs):
                attrs = dict(attrs)
                if tag == 'html': self.lang = attrs.get('lang')
                if tag == 'a': self.current = {'href': attrs.get('href') or '', 'text': ''}
            def handle_data(self, data):
                if self.current is not None: self.current['text'] += data
            def handle_endtag(self, tag):
                if tag == 'a' and self.current is not None:
                    self.current['text'] = self.current['text'].strip(); self.links.append(self.current); self.current = None

        m = email.message_from_binary_file(open(sys.argv[1], 'rb'), policy=email.policy.default)
        plain, html = m.get_body(('plain',)), m.get_body(('html',))
        parser = Links()
        if html is not None: parser.feed(html.get_content())
        sender = m['From'].addresses[0]
        print(json.dumps({
            'contentType': m.get_content_type(),
            'parts': [p.get_content_type() for p in m.iter_parts()] if m.is_multipart() else [],
            'fromName': sender.display_name, 'fromAddress': sender.addr_spec,
            'replyTo': m['Reply-To'].addresses[0].addr_spec if m['Reply-To'] else None,
            'subject': str(m['Subject']),
            'plain': plain.get_content() if plain is not None else '',
            'html': html.get_content() if html is not None else None,
            'htmlLanguage': parser.lang, 'links': parser.links,
        }))
        """

    static func read(_ path: String) async throws -> MailParts {
        let outcome = try await Subprocess.run(["python3", "-c", script, path])
        let data = outcome.stdout
        XCTAssertEqual(outcome.status, 0, "python could not read \(path): \(outcome.stderrText)")
        // The wire's CRLF line ends, as a mail program shows them: as lines.
        var parts = try JSONDecoder().decode(MailParts.self, from: data)
        parts.plain = parts.plain.replacingOccurrences(of: "\r\n", with: "\n")
        parts.html = parts.html?.replacingOccurrences(of: "\r\n", with: "\n")
        return parts
    }

    /// The link whose text is `text`.
    func link(_ text: String) -> Link? { links.first { $0.text == text } }
}
