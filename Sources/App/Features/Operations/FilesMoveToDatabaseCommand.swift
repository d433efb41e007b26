import Foundation
import Vapor

struct FilesMoveToDatabaseCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Flag(name: "dry-run", help: "Count what would move, and change nothing")
        var dryRun: Bool
    }

    var help: String { "Moves the sealed files under ONECARD_DATA_DIR/uploads into the database; safe to run again" }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        guard app.settings.fileStorage == .database else {
            throw CommandInputError(description: "files are kept on disk here: set DATABASE_URL (or ONECARD_FILE_STORAGE=database) to the database the instances use, then run this again")
        }
        let move = SealedFileMove(disk: app.diskSealedFiles, database: DatabaseSealedFiles(database: app.db, clock: app.clock),
                                  vault: app.vault, clock: app.clock)
        let counts = try await move.run(dryRun: signature.dryRun)
        struct Output: Encodable {
            let dryRun: Bool
            let moved, alreadyInDatabase, differing, unreadable: Int
        }
        let output = Output(dryRun: signature.dryRun, moved: counts.moved, alreadyInDatabase: counts.alreadyInDatabase,
                            differing: counts.differing, unreadable: counts.unreadable)
        let json = try JSONEncoder.sorted.encode(output)
        context.console.output(String(decoding: json, as: UTF8.self).consoleText())
    }
}
