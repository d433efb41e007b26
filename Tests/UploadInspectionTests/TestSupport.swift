import Foundation
import Testing
@testable import UploadInspection

/// A failure to make or read fixtures: it fails the test that needed them, with the reason.
struct FixtureFailure: Error, CustomStringConvertible {
    let description: String
}

/// Runs make_upload_fixtures.py (beside this file) with Python 3, returning what it printed.
func runFixtureScript(_ arguments: [String]) throws -> Data {
    let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("make_upload_fixtures.py")
    let errorsFile = FileManager.default.temporaryDirectory.appendingPathComponent("upload-fixtures-\(UUID().uuidString).err")
    guard FileManager.default.createFile(atPath: errorsFile.path, contents: nil) else {
        throw FixtureFailure(description: "cannot create \(errorsFile.path)")
    }
    defer { try? FileManager.default.removeItem(at: errorsFile) }

    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3", script.path] + arguments
    let output = Pipe()
    process.standardOutput = output
    process.standardError = try FileHandle(forWritingTo: errorsFile)
    do {
        try process.run()
    } catch {
        throw FixtureFailure(description: "cannot run python3 (needed, with `pip install pillow piexif`): \(error)")
    }
    let printed = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    let errors = (try? String(contentsOf: errorsFile, encoding: .utf8)) ?? ""
    switch process.terminationStatus {
    case 0:
        return printed
    case 3:
        throw FixtureFailure(description: "Pillow and piexif are missing — run `pip install pillow piexif`. \(errors)")
    case 127:
        throw FixtureFailure(description: "python3 is not installed; the upload tests need it with Pillow and piexif. \(errors)")
    default:
        throw FixtureFailure(description: "make_upload_fixtures.py \(arguments.first ?? "") exited \(process.terminationStatus): \(errors)")
    }
}

/// The fixtures, written once per test run into a temporary folder, read into memory, and the folder removed.
let fixtureFiles: Result<[String: [UInt8]], FixtureFailure> = {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("upload-fixtures-\(UUID().uuidString)")
    do {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        _ = try runFixtureScript(["make", directory.path])
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
}()

func fixture(_ name: String) throws -> [UInt8] {
    let files = try fixtureFiles.get()
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

func pillowView(of bytes: [UInt8]) throws -> PillowView {
    let file = FileManager.default.temporaryDirectory.appendingPathComponent("upload-view-\(UUID().uuidString)")
    try Data(bytes).write(to: file)
    defer { try? FileManager.default.removeItem(at: file) }
    return try JSONDecoder().decode(PillowView.self, from: runFixtureScript(["view", file.path]))
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
