import Foundation
import TestSubprocess
import OneCardDomain
import Testing
@testable import ReaderDataFile

/// The repository's root, found from this file (through the symbolic links of a standalone build).
let repositoryRoot = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// A folder for one test's files, removed afterwards.
final class ScratchFolder {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("onecard-written-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    func file(_ name: String) -> URL { url.appendingPathComponent(name) }

    func write(_ data: Data, as name: String) throws -> URL {
        let file = file(name)
        try data.write(to: file)
        return file
    }

    deinit { try? FileManager.default.removeItem(at: url) }
}

/// Runs tests/roster/read_written.py (openpyxl, odfpy) and returns its JSON. Missing Python modules fail
/// the test with the command that installs them; they are never a reason to skip.
func readWritten(_ arguments: [String]) async throws -> [String: Any] {
    let outcome = try await Subprocess.run(["python3", repositoryRoot.appendingPathComponent("tests/roster/read_written.py").path] + arguments,
                                           currentDirectory: repositoryRoot)
    let stdout = outcome.stdout
    let errorText = outcome.stderrText
    if outcome.status == 3 {
        Issue.record("openpyxl or odfpy is missing — run `pip install openpyxl odfpy` (scripts/install-test-tools). \(errorText)")
    }
    try #require(outcome.status == 0, "read_written.py \(arguments.first ?? "") exited \(outcome.status): \(errorText)")
    let json = try JSONSerialization.jsonObject(with: stdout)
    return try #require(json as? [String: Any], "read_written.py printed no JSON object: \(String(decoding: stdout.prefix(500), as: UTF8.self))")
}

/// One sheet of an xlsx as openpyxl loaded it.
struct OpenpyxlSheet {
    let json: [String: Any]

    var name: String { json["name"] as? String ?? "" }
    var freezePanes: String? { json["freeze_panes"] as? String }
    var maxRow: Int { json["max_row"] as? Int ?? 0 }
    var maxColumn: Int { json["max_column"] as? Int ?? 0 }
    var cells: [String: [String: Any]] { json["cells"] as? [String: [String: Any]] ?? [:] }
    var validations: [[String: Any]] { json["validations"] as? [[String: Any]] ?? [] }

    /// The value of a cell as text (numbers as openpyxl gives them), nil when empty.
    func value(_ reference: String) -> String? {
        guard let value = cells[reference]?["v"], !(value is NSNull) else { return nil }
        if let number = value as? NSNumber { return number.stringValue }
        return value as? String
    }

    func fill(_ reference: String) -> String? { cells[reference]?["fill"] as? String }
    func format(_ reference: String) -> String? { cells[reference]?["fmt"] as? String }
    func isBold(_ reference: String) -> Bool { cells[reference]?["bold"] as? Bool ?? false }

    /// Every cell filled with `rgb`, sorted.
    func cells(filled rgb: String) -> [String] {
        cells.filter { $0.value["fill"] as? String == rgb }.keys.sorted(by: cellOrder)
    }

    func columnFormat(_ letter: String) -> String? {
        (json["columns"] as? [String: [String: Any]])?[letter]?["fmt"] as? String
    }

    func columnWidth(_ letter: String) -> Double? {
        (json["columns"] as? [String: [String: Any]])?[letter]?["width"] as? Double
    }

    /// The values of row `row`, from column A to the last non-empty one.
    func row(_ row: Int) -> [String] {
        var values: [String] = []
        for column in 0..<maxColumn {
            values.append(value(columnLetters(column) + String(row)) ?? "")
        }
        while values.last == "" { values.removeLast() }
        return values
    }
}

/// openpyxl's view of an xlsx.
struct OpenpyxlWorkbook {
    let json: [String: Any]

    init(_ url: URL) async throws {
        json = try await readWritten(["xlsx", url.path])
    }

    var sheets: [OpenpyxlSheet] { (json["sheets"] as? [[String: Any]] ?? []).map(OpenpyxlSheet.init) }
    var sheetNames: [String] { sheets.map(\.name) }
    var active: String? { json["active"] as? String }
    var zipEntries: [[String: Any]] { (json["zip"] as? [String: Any])?["entries"] as? [[String: Any]] ?? [] }
    var crcOK: Bool { (json["zip"] as? [String: Any])?["crc_ok"] as? Bool ?? false }

    subscript(name: String) -> OpenpyxlSheet? { sheets.first { $0.name == name } }
}

/// `B12` before `A13`, `B2` before `B10`.
func cellOrder(_ a: String, _ b: String) -> Bool {
    func split(_ reference: String) -> (Int, String) {
        let letters = reference.prefix { $0.isLetter }
        return (Int(reference.dropFirst(letters.count)) ?? 0, String(letters))
    }
    let (rowA, columnA) = split(a)
    let (rowB, columnB) = split(b)
    if rowA != rowB { return rowA < rowB }
    if columnA.count != columnB.count { return columnA.count < columnB.count }
    return columnA < columnB
}

/// A valid ROC national ID number for test rows (A1…, male).
func validID(_ serial: Int) -> String {
    let middle = String(serial % 10_000_000)
    return IdentityNumber.makeValid(firstLetter: "A", second: "1", middle: String(repeating: "0", count: 7 - middle.count) + middle)
}
