import Fluent
import Foundation
import NIOPosix
import PersonalDataVault

/// Sealed files on local disk, `<data dir>/uploads/<id>`, owner-only and outside any public folder: the
/// embedded default. Several instances would need this directory on a shared volume.
struct DiskSealedFiles: SealedFileBackend {
    let directory: String
    /// Files of up to 10 MB are read and written here, off the event loop.
    let threadPool: NIOThreadPool

    init(dataDirectory: String, threadPool: NIOThreadPool) {
        directory = (dataDirectory as NSString).appendingPathComponent("uploads")
        self.threadPool = threadPool
    }

    func path(_ id: UUID) -> String {
        (directory as NSString).appendingPathComponent(id.uuidString.lowercased())
    }

    /// The ids of the files in the directory: only names the store writes (a lowercased UUID), not a
    /// half-written `.part-` file nor anything else.
    func ids() -> [UUID] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return names.filter { UUID(uuidString: $0)?.uuidString.lowercased() == $0 }.compactMap(UUID.init(uuidString:))
            .sorted { $0.uuidString < $1.uuidString }
    }

    func insert(_ sealed: Data, id: UUID, keyID: String, on transaction: (any Database)?) async throws {
        let directory = directory, target = path(id)
        try await threadPool.runIfActive {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
            try Self.write(sealed, to: target)
        }
    }

    /// A temporary name and a rename, so a crash never leaves half a file.
    private static func write(_ sealed: Data, to target: String) throws {
        let temporary = target + ".part-\(UUID().uuidString)"
        guard FileManager.default.createFile(atPath: temporary, contents: sealed, attributes: [.posixPermissions: 0o600]) else {
            throw SealedFileError.cannotWrite("cannot write a sealed file")
        }
        if rename(temporary, target) != 0 {
            try? FileManager.default.removeItem(atPath: temporary)
            throw SealedFileError.cannotWrite("cannot move a sealed file into place")
        }
    }

    func read(_ id: UUID) async throws -> Data? {
        let target = path(id)
        return try await threadPool.runIfActive { FileManager.default.contents(atPath: target) }
    }

    /// Same write-then-rename as `insert`. The store read the file under `previousKeyID` just before; two
    /// passes of key maintenance at once would both write the same sealed file, harmlessly.
    func replace(_ id: UUID, with sealed: Data, keyID: String, previousKeyID: String) async throws -> Bool {
        let target = path(id)
        return try await threadPool.runIfActive {
            guard FileManager.default.fileExists(atPath: target) else { return false }
            try Self.write(sealed, to: target)
            return true
        }
    }

    /// Read from the file's header alone (the first bytes name the key).
    func keyID(_ id: UUID, vault: PersonalDataVault) async throws -> String? {
        let target = path(id)
        return try await threadPool.runIfActive {
            guard let handle = FileHandle(forReadingAtPath: target) else { return nil }
            defer { try? handle.close() }
            return try handle.read(upToCount: 260).flatMap(vault.keyID(of:))
        }
    }

    func exists(_ id: UUID) async throws -> Bool {
        FileManager.default.fileExists(atPath: path(id))
    }

    func remove(_ id: UUID, on transaction: (any Database)?) async throws {
        try? FileManager.default.removeItem(atPath: path(id))
    }
}
