import Foundation

/// Where the bytes of a file come from: a path, or an upload already in memory.
enum InputSource {
    case file(URL)
    case data(Data)

    static let chunkSize = 1 << 20

    /// The size in bytes; throws `unreadable` for a missing file or a directory.
    func size() throws -> Int {
        switch self {
        case .data(let data):
            return data.count
        case .file(let url):
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
                throw ReaderDataFileError.unreadable("no such file: \(url.path)")
            }
            guard !isDirectory.boolValue else { throw ReaderDataFileError.unreadable("\(url.path) is a directory") }
            guard let attributes = try? FileManager.default.attributesOfItem(atPath: url.path),
                  let size = (attributes[.size] as? NSNumber)?.intValue else {
                throw ReaderDataFileError.unreadable("cannot read the size of \(url.path)")
            }
            return size
        }
    }

    /// The first `count` bytes (fewer when the file is shorter).
    func prefix(_ count: Int) throws -> [UInt8] {
        var result: [UInt8] = []
        try forEachChunk(chunkSize: count) { chunk in
            result = Array(chunk)
            throw StopReading()
        }
        return result
    }

    /// Calls `body` with successive chunks of the content; `body` may throw `StopReading` to stop early.
    func forEachChunk(chunkSize: Int = InputSource.chunkSize, _ body: (Data) throws -> Void) throws {
        do {
            switch self {
            case .data(let data):
                var offset = data.startIndex
                while offset < data.endIndex {
                    let end = min(offset + chunkSize, data.endIndex)
                    try body(data[offset..<end])
                    offset = end
                }
            case .file(let url):
                let handle: FileHandle
                do {
                    handle = try FileHandle(forReadingFrom: url)
                } catch {
                    throw ReaderDataFileError.unreadable("cannot open \(url.path): \(error.localizedDescription)")
                }
                defer { try? handle.close() }
                while true {
                    let chunk: Data?
                    do {
                        chunk = try handle.read(upToCount: chunkSize)
                    } catch {
                        throw ReaderDataFileError.unreadable("cannot read \(url.path): \(error.localizedDescription)")
                    }
                    guard let chunk, !chunk.isEmpty else { break }
                    try body(chunk)
                }
            }
        } catch is StopReading {
            return
        }
    }

    /// The whole content; callers check the size first.
    func readAll() throws -> Data {
        var result = Data()
        try forEachChunk { result.append($0) }
        return result
    }
}
