import Vapor

extension Request {
    /// The digital card service for this request (the applicant's pages and the reviewers' share it).
    var digitalCards: DigitalCardService {
        let now = now
        return DigitalCardService(
            database: db, vault: application.vault,
            outbox: Outbox(localizer: application.localizer, settings: application.settings, vault: application.vault, now: now),
            passwordPolicy: application.passwordPolicy, passwordHasher: passwordHashing, threadPool: application.threadPool,
            documents: application.identityDocuments,
            certificates: application.citizenCertificates, baseURL: application.settings.baseURL,
            uploadRetentionDays: application.settings.uploadRetentionDays,
            mailDropDirectory: application.settings.mailDropDirectory, logger: logger, now: now)
    }
}
