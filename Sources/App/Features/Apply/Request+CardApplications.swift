import Vapor

extension Request {
    /// The card application service for this request (the web form and the API share it).
    var cardApplications: CardApplicationService {
        let now = now
        return CardApplicationService(
            database: db, vault: application.vault,
            outbox: Outbox(localizer: application.localizer, settings: application.settings, vault: application.vault, now: now),
            passwordPolicy: application.passwordPolicy, passwordHasher: passwordHashing,
            pendingApplicationLifetimeDays: application.settings.pendingApplicationLifetimeDays, now: now)
    }
}
