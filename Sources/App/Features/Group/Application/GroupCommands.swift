import Fluent
import Foundation
import OneCardDomain
import ReaderDataFile
import Vapor

/// `onecard group …`: group applications (集體辦證) that reach the library on paper or by email, as the
/// seed's process still allows (公文 with attachments; the reader data file to the library's mailbox).
///
/// - `group register`: records an organization's application with its two files and approves it; the
///   contact gets the usual email with a sign-in link. Prints `{"reference":…,"status":"approved"}`.
/// - `group import-batch FILE`: checks a reader data file as the upload does, stages it as a batch of that
///   organization under its letter, approves it and imports it now. Prints one JSON object with the
///   counts and the seconds each step took; exit 1 when the file is returned (its errors are printed),
///   2 when it cannot be read.
struct GroupCommands: AsyncCommandGroup {
    var commands: [String: any AnyAsyncCommand] { ["register": GroupRegisterCommand(), "import-batch": GroupImportBatchCommand()] }
    var help: String { "Group applications (集體辦證) received on paper or by email" }
}
