import Fluent
import Foundation
import Vapor

/// Sets what a library's emails carry (issue #17 item 5): the address they come from, where replies go,
/// and the page of its branches with opening hours that the application email links to. An option left
/// out keeps its value; an empty one (`--reply-to ""`) clears it, so the configured `ONECARD_MAIL_FROM`
/// address (or no Reply-To, or the list of service desks) is used again. Audited like other changes to
/// the consortium made from the command line.
struct LibrarySetMailCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "library", help: "Library code, e.g. TPML")
        var library: String?
        @Option(name: "from", help: "The address its emails come from (no-reply@…); empty for the configured one")
        var from: String?
        @Option(name: "reply-to", help: "Where replies go (its service desk's address); empty for none")
        var replyTo: String?
        @Option(name: "branches-url", help: "https:// page listing its branches and opening hours; empty for none")
        var branchesURL: String?
    }

    var help: String { "Sets a library's email sender, Reply-To and branch page" }

    func run(using context: CommandContext, signature: Signature) async throws {
        let db = context.application.db
        guard let library = try await Library.require(optionalCode: signature.library, on: db) else {
            throw CommandInputError(description: "--library is required")
        }
        let mail = try await LibraryMailSettings.of(library, on: db)
        var changed: [String: String] = [:]
        if let from = signature.from {
            mail.mailFrom = try Self.address(from, option: "--from")
            changed["mailFrom"] = mail.mailFrom ?? "default"
        }
        if let replyTo = signature.replyTo {
            mail.mailReplyTo = try Self.address(replyTo, option: "--reply-to")
            changed["mailReplyTo"] = mail.mailReplyTo ?? "none"
        }
        if let text = signature.branchesURL {
            let trimmed = text.trimmingCharacters(in: .whitespaces)
            if !trimmed.isEmpty {
                guard let url = URL(string: trimmed), url.scheme == "https" || url.scheme == "http", url.host != nil else {
                    throw CommandInputError(description: "--branches-url must be an http(s):// address")
                }
            }
            mail.branchesURL = trimmed.isEmpty ? nil : trimmed
            changed["branchesURL"] = mail.branchesURL ?? "none"
        }
        guard !changed.isEmpty else {
            throw CommandInputError(description: "give at least one of --from, --reply-to, --branches-url")
        }
        let now = context.application.clock.now()
        let details = changed
        try await db.transaction { db in
            try await mail.save(on: db)
            try await AuditTrail.record("library.mail_settings_changed", by: .commandLine, libraryID: library.id,
                                        details: details, at: now, on: db)
        }
        context.console.print("\(library.code): from \(mail.mailFrom ?? "(configured address)"), "
            + "reply-to \(mail.mailReplyTo ?? "(none)"), branches \(mail.branchesURL ?? "(service desks listed)")")
    }

    /// A bare address (`desk@tpml.gov.taipei`), nil for an empty option. The display name is the
    /// library's own, in the reader's language, so a name here is refused rather than ignored.
    static func address(_ text: String, option: String) throws -> String? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed.isEmpty { return nil }
        let parts = trimmed.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[1].contains("."),
              !trimmed.contains(where: { $0.isWhitespace || "<>,;\"()[]\\".contains($0) })
        else {
            throw CommandInputError(description: "\(option) must be a bare email address such as desk@library.example")
        }
        return trimmed
    }
}
