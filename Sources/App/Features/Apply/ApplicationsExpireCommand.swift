import Vapor

struct ApplicationsExpireCommand: AsyncCommand {
    struct Signature: CommandSignature {}
    var help: String { "Expires pending applications older than ONECARD_PENDING_APPLICATION_DAYS (30) and erases their personal data" }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        let expiry = ApplicationExpiry(pendingApplicationLifetimeDays: app.settings.pendingApplicationLifetimeDays,
                                       mailDropDirectory: app.settings.mailDropDirectory, logger: app.logger, now: app.clock.now())
        let count = try await expiry.run(on: app.db)
        context.console.print("Expired \(count) application(s).")
    }
}
