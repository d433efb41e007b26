import Fluent
import Vapor

/// `onecard migrate [--revert]`: applies pending migrations without asking (deployments run it
/// unattended); `--revert` undoes the last batch.
struct MigrateCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Flag(name: "revert", help: "Revert the last batch of migrations")
        var revert: Bool
    }

    var help: String { "Applies pending database migrations" }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        try await app.migrator.setupIfNeeded().get()
        if signature.revert {
            let batch = try await app.migrator.previewRevertLastBatch().get()
            try await app.migrator.revertLastBatch().get()
            context.console.print("Reverted \(batch.count) migration(s).")
        } else {
            let pending = try await app.migrator.previewPrepareBatch().get()
            try await app.migrator.prepareBatch().get()
            for (migration, _) in pending { context.console.print("+ \(migration.name)") }
            context.console.print(pending.isEmpty ? "No pending migrations." : "Applied \(pending.count) migration(s).")
        }
    }
}
