import Fluent
import Foundation
import OneCardDomain
import SQLKit
import Vapor

/// The emails kept about one person: the outbox holds each message as rendered (name, address,
/// application number), and without SMTP the mail drop holds an `.eml` copy of each one delivered.
enum PatronMail {
    /// Tags a person's messages so their erasure can find them; it also keeps them in order.
    static func partitionKey(_ patronID: UUID) -> String { "patron:\(patronID.uuidString)" }

    /// Deletes the person's undelivered emails and empties the delivered and failed ones down to their
    /// Message-ID and date (the row stays, so counts and the fact of sending remain). Messages queued
    /// before they were tagged are found by the application number, which every one of them quotes.
    /// Returns the messages as they were, to find their files in the mail drop.
    static func erase(patronID: UUID, applicationNumber: String, on db: any Database) async throws -> [MailMessage] {
        let rows = try await OutboxMessage.query(on: db).filter(\.$kind == .email).group(.or) {
            $0.filter(\.$partitionKey == partitionKey(patronID))
            if !applicationNumber.isEmpty { $0.filter(\.$payload ~~ applicationNumber) }
        }.all()
        var erased: [MailMessage] = []
        for row in rows {
            guard let message = try? JSONDecoder().decode(MailMessage.self, from: Data(row.payload.utf8)) else { continue }
            // The application number matched somewhere in the JSON; make sure it is this person's message.
            if row.partitionKey != partitionKey(patronID),
               !(message.subject.contains(applicationNumber) || message.body.contains(applicationNumber)) { continue }
            erased.append(message)
            if row.status == .pending {
                try await row.delete(on: db)
            } else {
                row.payload = String(decoding: try JSONEncoder.sorted.encode(Self.emptied(message)), as: UTF8.self)
                row.lastError = nil
                row.secretsSealed = nil
                try await row.save(on: db)
            }
        }
        return erased
    }

    /// How long a delivered email is kept whole (to answer "did you send it?"); after that it is emptied
    /// down to its Message-ID and date, and its mail-drop copy removed, by hourly housekeeping.
    static let deliveredRetentionDays = 30

    /// Empties every email delivered more than `deliveredRetentionDays` ago that still holds an address.
    @discardableResult
    static func emptyDelivered(now: Date, on database: any Database, mailDropDirectory: String, logger: Logger) async throws -> Int {
        let cutoff = now.addingTimeInterval(-Double(deliveredRetentionDays) * 86_400)
        let rows = try await OutboxMessage.query(on: database).filter(\.$kind == .email).filter(\.$status == .delivered)
            .filter(\.$deliveredAt < cutoff)
            .filter(\.$payload, .contains(inverse: true, .anywhere), #""to":"""#)
            .all()
        var emptied: [MailMessage] = []
        for row in rows {
            guard let message = try? JSONDecoder().decode(MailMessage.self, from: Data(row.payload.utf8)), !message.to.isEmpty else { continue }
            row.payload = String(decoding: try JSONEncoder.sorted.encode(Self.emptied(message)), as: UTF8.self)
            try await row.save(on: database)
            emptied.append(message)
        }
        // Messages emptied as soon as they were sent still have their mail-drop copy (the mailbox of a setup
        // without SMTP), which goes at the same age as any other; the mark is then cleared so they are not
        // visited again. They are not counted: their rows were emptied already.
        let sentAndEmptied = try await OutboxMessage.query(on: database).filter(\.$kind == .email)
            .filter(\.$emptiedOnceSent == true).filter(\.$status == .delivered).filter(\.$deliveredAt < cutoff).all()
        var dropCopies: [MailMessage] = []
        for row in sentAndEmptied {
            if let message = try? JSONDecoder().decode(MailMessage.self, from: Data(row.payload.utf8)) { dropCopies.append(message) }
            row.emptiedOnceSent = false
            try await row.save(on: database)
        }
        removeDropFiles(of: emptied + dropCopies, directory: mailDropDirectory, logger: logger)
        return emptied.count
    }

    static func emptied(_ message: MailMessage) -> MailMessage {
        MailMessage(from: message.from, to: "", subject: "", body: "", messageID: message.messageID, date: message.date)
    }

    /// Removes the mail-drop copies of `messages` (named from their date and Message-ID, see `FileMailer`).
    static func removeDropFiles(of messages: [MailMessage], directory: String, logger: Logger) {
        let mailer = FileMailer(directory: directory)
        for message in messages {
            let path = mailer.path(for: message)
            guard FileManager.default.fileExists(atPath: path) else { continue }
            do {
                try FileManager.default.removeItem(atPath: path)
            } catch {
                logger.error("could not remove an erased message from the mail drop", metadata: ["file": .string(FileMailer.fileName(for: message))])
            }
        }
    }
}
