import Foundation

/// With no SMTP server configured, messages become `.eml` files in the data directory's mail drop,
/// where any mail program can open them.
struct FileMailer: Mailer {
    let directory: String

    /// The file a message becomes: its date and Message-ID, both kept in the outbox row, so the file of a
    /// stored message can be found again (and removed when the person's data is erased).
    static func fileName(for message: MailMessage) -> String {
        let safeID = message.messageID.filter { $0.isLetter || $0.isNumber || $0 == "-" }
        return "\(Int(message.date.timeIntervalSince1970))-\(safeID).eml"
    }

    func path(for message: MailMessage) -> String {
        (directory as NSString).appendingPathComponent(Self.fileName(for: message))
    }

    func send(_ message: MailMessage) async throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
        let path = self.path(for: message)
        let url = URL(fileURLWithPath: path)
        try Data(message.rfc5322().utf8).write(to: url, options: [.atomic])
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: path)
    }
}

extension OneCardSettings {
    /// Where `FileMailer` writes when no SMTP server is configured.
    var mailDropDirectory: String { (dataDirectory as NSString).appendingPathComponent("mail") }
}
