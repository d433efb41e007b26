import Foundation
import XCTest
@testable import App

/// Issue #14 item 5: every action the app writes to the audit trail has words in zh-TW and English, under
/// the one shared set of keys (`audit.action.<code>`) that the audit trail, its download and the patron
/// record's history all use. The codes are found by reading the sources, so a new `AuditTrail.record` call
/// without words fails here rather than showing a raw code to staff.
final class AuditActionWordsTests: XCTestCase {
    static let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Sources/App")

    /// Interpolations inside an action code that the scanner cannot read itself, and every value they take.
    /// An interpolation missing here fails the scan, so a new one is decided, not skipped.
    static let interpolations: [String: [String]] = [
        "request.kind.rawValue": PatronRequest.Kind.allCases.map(\.rawValue),
        "kind.rawValue": PatronRequest.Kind.allCases.map(\.rawValue),
    ]

    private static let codeShape = try! NSRegularExpression(pattern: #"^[a-z0-9_]+(\.[a-z0-9_]+)+$"#)

    func testEveryActionTheAppWritesHasWordsInBothLanguages() throws {
        let (codes, problems) = try Self.actionCodesWritten()
        XCTAssertEqual(problems, [], "the scanner could not read these action codes")
        // The scanner reads literal codes, codes passed through a helper's parameter, codes built by
        // interpolation and codes written by a multi-row INSERT: one of each must be among what it found.
        for expected in ["staff.signed_in", "sip2.sign_in_refused", "card.suspended", "oidc.tokens_issued", "oidc.code_replayed",
                         "patron_request.name_change.approved", "patron_request.deletion.rejected", "card.issued_by_group",
                         "digital_card.activated_by_certificate", "audit.viewed", "audit.exported"] {
            XCTAssertNotNil(codes[expected], "the scan found no \(expected)")
        }
        XCTAssertGreaterThan(codes.count, 100)

        let localizer = try Localizer.load(from: Resources.path("Localization"))
        for locale in SiteLocale.allCases {
            let keys = localizer.keys(for: locale)
            for (code, file) in codes.sorted(by: { $0.key < $1.key }) {
                XCTAssertTrue(keys.contains(AuditActionWords.key(code)), "\(locale.rawValue) has no words for \(code) (written in \(file))")
            }
        }
    }

    func testThePatronRecordsHistoryHasNoWordsOfItsOwn() throws {
        let localizer = try Localizer.load(from: Resources.path("Localization"))
        for locale in SiteLocale.allCases {
            let own = localizer.keys(for: locale).filter { $0.hasPrefix("staff.patron.history.") }
            XCTAssertEqual(own, [], "\(locale.rawValue): the history uses audit.action.*")
        }
        XCTAssertEqual(Set(localizer.keys(for: .zhTW).filter { $0.hasPrefix("audit.action.") }),
                       Set(localizer.keys(for: .en).filter { $0.hasPrefix("audit.action.") }), "both languages name the same actions")
    }

    // MARK: The scanner

    /// Every action code written, with a file that writes it, and what could not be read.
    static func actionCodesWritten() throws -> (codes: [String: String], problems: [String]) {
        var codes: [String: String] = [:]
        var problems: [String] = []
        let files = FileManager.default.enumerator(atPath: sources.path)?.compactMap { $0 as? String }.filter { $0.hasSuffix(".swift") } ?? []
        XCTAssertFalse(files.isEmpty)
        for file in files {
            let text = try String(contentsOf: sources.appendingPathComponent(file), encoding: .utf8)
            let scalars = Array(text.unicodeScalars)
            func add(_ found: [String], _ place: String) {
                for code in found {
                    if codeShape.firstMatch(in: code, range: NSRange(code.startIndex..., in: code)) != nil { codes[code] = file }
                    else { problems.append("\(file): \(place) gives \(code)") }
                }
            }
            if file.hasSuffix("Platform/Audit/AuditTrail.swift") { continue }
            if text.range(of: #"(^|[^A-Za-z])AuditEvent\(\)"#, options: .regularExpression) != nil { problems.append("\(file) writes AuditEvent rows itself") }
            // `AuditTrail.record(<action>, …)`.
            for start in occurrences(of: "AuditTrail.record(", in: scalars) {
                let argument = firstArgument(scalars, from: start).trimmingCharacters(in: .whitespacesAndNewlines)
                if argument.first == "\"" || argument.contains("?") {
                    add(expand(argument, problems: &problems, file: file), argument)
                } else if argument.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) {
                    let found = resolve(identifier: argument, in: text, scalars: scalars, problems: &problems, file: file)
                    if found.isEmpty { problems.append("\(file): cannot tell what `\(argument)` holds") }
                    add(found, argument)
                } else {
                    problems.append("\(file): cannot read the action `\(argument)`")
                }
            }
            // Codes handed to a writer that inserts audit rows itself (the token endpoint's batches) are
            // labelled `auditAction:` where they are written.
            for start in occurrences(of: "auditAction: \"", in: scalars) {
                let literal = firstArgument(scalars, from: start)
                add(expand(literal, problems: &problems, file: file), literal)
            }
            // Rows inserted in bulk (the group import): their action is a bound literal.
            if text.contains("into: AuditEvent.schema") {
                for start in occurrences(of: "SQLBind(\"", in: scalars) {
                    let literal = firstArgument(scalars, from: start)
                    guard !literal.contains("\\(") else { continue }  // a row's own values, never its action
                    let found = expand(literal, problems: &problems, file: file)
                    codes.merge(found.filter { codeShape.firstMatch(in: $0, range: NSRange($0.startIndex..., in: $0)) != nil }.map { ($0, file) }) { a, _ in a }
                }
            }
        }
        return (codes, problems)
    }

    /// Where each `needle` ends in `scalars`.
    static func occurrences(of needle: String, in scalars: [Unicode.Scalar]) -> [Int] {
        let pattern = Array(needle.unicodeScalars)
        var found: [Int] = []
        var index = 0
        while index + pattern.count <= scalars.count {
            if Array(scalars[index..<(index + pattern.count)]) == pattern {
                found.append(index + pattern.count - (needle.hasSuffix("\"") ? 1 : 0))
                index += pattern.count
            } else {
                index += 1
            }
        }
        return found
    }

    /// The text from `start` to the first `,` or `)` outside brackets and string literals.
    static func firstArgument(_ scalars: [Unicode.Scalar], from start: Int) -> String {
        var index = start, depth = 0
        var out = String.UnicodeScalarView()
        while index < scalars.count {
            let scalar = scalars[index]
            if scalar == "\"" {
                let end = endOfLiteral(scalars, from: index)
                out.append(contentsOf: scalars[index..<end])
                index = end
                continue
            }
            if depth == 0, scalar == "," || scalar == ")" || scalar == "\n" && out.contains(where: { !$0.properties.isWhitespace }) { break }
            if "([{".unicodeScalars.contains(scalar) { depth += 1 }
            if ")]}".unicodeScalars.contains(scalar) { depth -= 1 }
            out.append(scalar)
            index += 1
        }
        return String(out)
    }

    /// The index just past the string literal that opens at `start`, interpolations (and literals inside them) included.
    static func endOfLiteral(_ scalars: [Unicode.Scalar], from start: Int) -> Int {
        var index = start + 1
        while index < scalars.count {
            switch scalars[index] {
            case "\\" where index + 1 < scalars.count && scalars[index + 1] == "(":
                index += 2
                var depth = 1
                while index < scalars.count, depth > 0 {
                    if scalars[index] == "\"" { index = endOfLiteral(scalars, from: index); continue }
                    if scalars[index] == "(" { depth += 1 }
                    if scalars[index] == ")" { depth -= 1 }
                    index += 1
                }
            case "\\": index += 2
            case "\"": return index + 1
            default: index += 1
            }
        }
        return index
    }

    /// Every value the string literals of `expression` can take: each literal at the top level (both sides
    /// of a `?:`), with its interpolations expanded.
    static func expand(_ expression: String, problems: inout [String], file: String) -> [String] {
        let scalars = Array(expression.unicodeScalars)
        var values: [String] = []
        var index = 0
        while index < scalars.count {
            guard scalars[index] == "\"" else { index += 1; continue }
            let end = endOfLiteral(scalars, from: index)
            values += expandLiteral(Array(scalars[(index + 1)..<max(index + 1, end - 1)]), problems: &problems, file: file)
            index = end
        }
        return values
    }

    private static func expandLiteral(_ body: [Unicode.Scalar], problems: inout [String], file: String) -> [String] {
        var results = [""]
        var index = 0
        while index < body.count {
            if body[index] == "\\", index + 1 < body.count, body[index + 1] == "(" {
                var depth = 1, end = index + 2
                while end < body.count, depth > 0 {
                    if body[end] == "\"" { end = endOfLiteral(body, from: end); continue }
                    if body[end] == "(" { depth += 1 }
                    if body[end] == ")" { depth -= 1 }
                    end += 1
                }
                let inner = String(String.UnicodeScalarView(body[(index + 2)..<(end - 1)]))
                var options = inner.contains("\"") ? expand(inner, problems: &problems, file: file) : []
                if options.isEmpty { options = interpolations[inner.trimmingCharacters(in: .whitespaces)] ?? [] }
                if options.isEmpty { problems.append("\(file): no values known for \\(\(inner))") }
                results = results.flatMap { prefix in options.map { prefix + $0 } }
                index = end
            } else {
                results = results.map { $0 + String(body[index]) }
                index += 1
            }
        }
        return results
    }

    /// What an identifier passed as the action holds, read from the same file: `let x = …`, a call's
    /// `x: …` argument, or the first argument of calls to the function that takes it as `_ x:`.
    static func resolve(identifier name: String, in text: String, scalars: [Unicode.Scalar], problems: inout [String], file: String) -> [String] {
        var found: [String] = []
        for start in occurrences(of: "let \(name) = ", in: scalars) + occurrences(of: "\(name): \"", in: scalars) {
            found += expand(firstArgument(scalars, from: start), problems: &problems, file: file)
        }
        let function = try! NSRegularExpression(pattern: #"func (\w+)\(_ "# + name + ": ")
        for match in function.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
            let functionName = String(text[Range(match.range(at: 1), in: text)!])
            for start in occurrences(of: "\(functionName)(\"", in: scalars) {
                found += expand(firstArgument(scalars, from: start), problems: &problems, file: file)
            }
        }
        return found
    }
}
