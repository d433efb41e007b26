import Foundation

/// With no SMTP server configured, messages become `.eml` files in the data directory's mail drop,
/// where any mail program can open them.
struct FileMailer: Mailer {
    let directory: String

    func send(_ message: MailMessage) async throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
        let safeID = message.messageID.filter { $0.isLetter || $0.isNumber || $0 == "-" }
        let name = "\(Int(message.date.timeIntervalSince1970))-\(safeID).eml"
        let path = (directory as NSString).appendingPathComponent(name)
        let url = URL(fileURLWithPath: path)
        try Data(message.rfc5322().utf8).write(to: url, options: [.atomic])
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: path)
    }
}
