import Foundation
import TestSubprocess

/// zxing-cpp, run through `read_barcodes.py` beside this file: a barcode reader nobody on this project wrote.
///
/// A missing python3, zxing-cpp or Pillow is an error, never a skip: a test that quietly does not read
/// anything would pass for a barcode no phone can scan.
enum RealReader {
    struct Barcode: Decodable, Equatable {
        let format: String
        let text: String
        let ecLevel: String

        enum CodingKeys: String, CodingKey {
            case format, text
            case ecLevel = "ec_level"
        }
    }

    struct Report: Decodable {
        let path: String
        let barcodes: [Barcode]
        /// What the helper found wrong in the file itself (CRCs, zlib stream, SVG structure).
        let problems: [String]
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("read_barcodes.py")

    /// Writes each image to a fresh temporary directory and reads them all with one Python process.
    static func read(_ images: [(name: String, contents: [UInt8])]) async throws -> [Report] {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("CardBarcodeTests-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        var paths: [String] = []
        for image in images {
            let url = directory.appendingPathComponent(image.name)
            try Data(image.contents).write(to: url)
            paths.append(url.path)
        }

        let outcome: Subprocess.Outcome
        do {
            outcome = try await Subprocess.run(["python3", script.path] + paths)
        } catch {
            throw Failure(description: "Could not start /usr/bin/env python3: \(error)")
        }
        let data = outcome.stdout
        let errors = outcome.stderrText

        switch outcome.status {
        case 0:
            break
        case 127:
            throw Failure(description: "python3 was not found on PATH; the real-reader tests need python3 with zxing-cpp and pillow (python3 -m pip install zxing-cpp pillow). \(errors)")
        case 3:
            throw Failure(description: "The real-reader tests need zxing-cpp and pillow: \(errors)")
        default:
            throw Failure(description: "read_barcodes.py exited with \(outcome.status): \(errors)")
        }
        let reports = try JSONDecoder().decode([Report].self, from: data)
        guard reports.count == images.count else {
            throw Failure(description: "read_barcodes.py answered for \(reports.count) of \(images.count) files")
        }
        return reports
    }
}
