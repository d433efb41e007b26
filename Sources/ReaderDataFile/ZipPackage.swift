import Foundation
import ZIPFoundation

/// A zip package (xlsx or ods) read with limits: how many entries, how many bytes they may inflate to
/// in total, and at what compression ratio.
final class ZipPackage {
    /// More entries than any spreadsheet has; a longer central directory is refused.
    static let maximumEntries = 10_000
    /// Inflating past this many bytes of one entry at a ratio beyond `maximumRatio` is treated as a bomb.
    static let ratioCheckThreshold = 1 << 20
    /// Deflate can reach about 1030:1; real sheet XML compresses about 5–50:1, even Excel's runs of styled empty rows stay below 100:1.
    static let maximumRatio = 250
    /// Below malloc's mmap threshold, so the buffers ZIPFoundation allocates per chunk are reused, not faulted in anew.
    static let inflateBufferSize = 64 << 10

    private let archive: Archive
    private var entriesByPath: [String: Entry] = [:]
    private var entriesByFoldedPath: [String: Entry] = [:]
    private let maximumUncompressedBytes: Int
    private var inflatedBytes = 0

    init(source: InputSource, maximumUncompressedBytes: Int) throws {
        self.maximumUncompressedBytes = maximumUncompressedBytes
        do {
            switch source {
            case .file(let url): archive = try Archive(url: url, accessMode: .read)
            case .data(let data): archive = try Archive(data: data, accessMode: .read)
            }
        } catch {
            throw ReaderDataFileError.corrupt("not a readable zip archive: \(error)")
        }
        var count = 0
        for entry in archive {
            count += 1
            guard count <= Self.maximumEntries else { throw ReaderDataFileError.zipBomb }
            let path = entry.path
            if entriesByPath[path] == nil { entriesByPath[path] = entry }
            let folded = path.lowercased()
            if entriesByFoldedPath[folded] == nil { entriesByFoldedPath[folded] = entry }
        }
    }

    var paths: some Collection<String> { entriesByPath.keys }

    func contains(_ path: String) -> Bool { entry(path) != nil }

    private func entry(_ path: String) -> Entry? {
        entriesByPath[path] ?? entriesByFoldedPath[path.lowercased()]
    }

    /// Reads a whole (small) entry into memory, within the limits.
    func read(_ path: String) throws -> [UInt8]? {
        guard entry(path) != nil else { return nil }
        var bytes: [UInt8] = []
        try stream(path) { bytes.append(contentsOf: $0) }
        return bytes
    }

    /// Inflates an entry chunk by chunk. `body` may throw `StopReading` to stop early, which is not an error.
    /// Throws `zipBomb` when the declared or the actual size passes the limit.
    func stream(_ path: String, _ body: (Data) throws -> Void) throws {
        guard let entry = entry(path) else { throw ReaderDataFileError.corrupt("missing entry \(path)") }
        guard entry.type == .file else { throw ReaderDataFileError.corrupt("\(path) is not a file") }
        let declared = entry.uncompressedSize
        guard declared <= UInt64(maximumUncompressedBytes - min(inflatedBytes, maximumUncompressedBytes)) else {
            throw ReaderDataFileError.zipBomb
        }
        let compressed = max(Int(clamping: entry.compressedSize), 1)
        var entryBytes = 0
        let limit = maximumUncompressedBytes
        do {
            // The CRC is left unchecked: computing it in Swift cost a tenth of a 50,000-row check, and a damaged
            // deflate stream or XML is refused anyway.
            _ = try archive.extract(entry, bufferSize: Self.inflateBufferSize, skipCRC32: true) { chunk in
                entryBytes += chunk.count
                inflatedBytes += chunk.count
                // Count what is really inflated: the declared size may lie.
                if inflatedBytes > limit { throw ReaderDataFileError.zipBomb }
                if entryBytes > Self.ratioCheckThreshold, entryBytes / compressed > Self.maximumRatio {
                    throw ReaderDataFileError.zipBomb
                }
                try body(chunk)
            }
        } catch is StopReading {
            return
        } catch let error as ReaderDataFileError {
            throw error
        } catch {
            throw ReaderDataFileError.corrupt("cannot inflate \(path): \(error)")
        }
    }
}
