import Vapor

/// `onecard files move-to-database`: sealed files on disk move into the database, for deployments that
/// began with `uploads/` and now keep files in PostgreSQL (`ONECARD_FILE_STORAGE`).
struct FilesCommands: AsyncCommandGroup {
    var commands: [String: any AnyAsyncCommand] {
        ["move-to-database": FilesMoveToDatabaseCommand()]
    }
    var help: String { "Manages where sealed files (identity documents, group files) are kept" }
}
