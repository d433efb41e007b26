import Foundation
import TestSubprocess
import Testing
@testable import UploadInspection

/// A failure to make or read fixtures: it fails the test that needed them, with the reason.
struct FixtureFailure: Error, CustomStringConvertible {
    let description: String
}

/// Runs make_upload_fixtures.py (beside this file) with Python 3, returning what it printed.
func runFixtureScript(_ arguments: [String]) async throws -> Data {
    let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("make_upload_fixtures.py")
    let outcome: Subprocess.Outcome
    do {
        outcome = try await Subprocess.run(["python3", script.path] + arguments)
    } catch {
        throw FixtureFailure(description: "cannot run python3 (needed, with `pip install pillow piexif`): \(error)")
    }
    let errors = outcome.stderrText
    switch outcome.status {
    case 0:
        return outcome.stdout
    case 3:
        throw FixtureFailure(description: "Pillow and piexif are missing — run `pip install pillow piexif`. \(errors)")
    case 127:
        throw FixtureFailure(description: "python3 is not installed; the upload tests need it with Pillow and piexif. \(errors)")
    default:
        throw FixtureFailure(description: "make_upload_fixtures.py \(arguments.first ?? "") exited \(outcome.status): \(errors)")
    }
}

/// The fixtures, written once per test run into a temporary folder, read into memory, and the folder removed.
/// Made by the first test that asks, in a task that waits for python without holding a cooperative thread.
let fixtureFiles = Task<Result<[String: [UInt8]], FixtureFailure>, Never> {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("upload-fixtures-\(UUID().uuidString)")
    do {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        _ = try await runFixtureScript(["make", directory.path])
        var files: [String: [UInt8]] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: directory.path) {
            files[name] = try [UInt8](Data(contentsOf: directory.appendingPathComponent(name)))
        }
        return .success(files)
    } catch let failure as FixtureFailure {
        return .failure(failure)
    } catch {
        return .failure(FixtureFailure(description: "cannot write the fixtures: \(error)"))
    }
}

func fixture(_ name: String) async throws -> [UInt8] {
    let files = try await fixtureFiles.value.get()
    guard let bytes = files[name] else { throw FixtureFailure(description: "make_upload_fixtures.py wrote no \(name)") }
    return bytes
}

/// What Pillow sees when it opens a file.
struct PillowView: Decodable, Equatable {
    let format: String
    let width: Int
    let height: Int
    let mode: String
    let exifTags: [Int]
    let hasGPS: Bool
    let infoKeys: [String]
    let textKeys: [String]
    let hasICCProfile: Bool
    let pixelDigest: String
}

func pillowView(of bytes: [UInt8]) async throws -> PillowView {
    let file = FileManager.default.temporaryDirectory.appendingPathComponent("upload-view-\(UUID().uuidString)")
    try Data(bytes).write(to: file)
    defer { try? FileManager.default.removeItem(at: file) }
    return try JSONDecoder().decode(PillowView.self, from: await runFixtureScript(["view", file.path]))
}

/// The rejection `inspect` throws, or `nil` when it accepts the file.
func rejection(_ bytes: [UInt8], policy: UploadPolicy = .init()) -> UploadRejection? {
    do {
        _ = try UploadInspector.inspect(bytes, policy: policy)
        return nil
    } catch {
        return error
    }
}

extension Array where Element == UInt8 {
    func contains(ascii text: String) -> Bool {
        firstRange(of: Array(text.utf8)) != nil
    }

    func firstRange(of pattern: [UInt8]) -> Range<Int>? {
        guard !pattern.isEmpty, pattern.count <= count else { return nil }
        for start in 0...(count - pattern.count) where self[start] == pattern[0] {
            if self[start..<start + pattern.count].elementsEqual(pattern) { return start..<start + pattern.count }
        }
        return nil
    }

    /// Offsets of JPEG markers with the given code outside entropy-coded data, found by walking segments.
    func jpegMarkerOffsets(_ code: UInt8) -> [Int] {
        var offsets: [Int] = []
        var position = 2
        while position + 4 <= count, self[position] == 0xFF {
            let marker = self[position + 1]
            if marker == code { offsets.append(position) }
            if marker == 0xDA || marker == 0xD9 { break }
            position += 2 + (Int(self[position + 2]) << 8 | Int(self[position + 3]))
        }
        return offsets
    }

    /// The chunk types of a PNG, in order, with each chunk's offset.
    var pngChunks: [(type: String, offset: Int)] {
        var chunks: [(String, Int)] = []
        var position = 8
        while position + 8 <= count {
            let length = Int(self[position]) << 24 | Int(self[position + 1]) << 16 | Int(self[position + 2]) << 8
                | Int(self[position + 3])
            chunks.append((String(decoding: self[position + 4..<position + 8], as: UTF8.self), position))
            position += 12 + length
        }
        return chunks
    }
}
