import Vapor

extension Request {
    /// 我的帳戶's service for this request (also used by staff deciding the readers' requests).
    var patronAccountService: PatronAccountService {
        PatronAccountService(database: db, credentials: credentialCheck, passwords: passwordHashing, passwordRule: readerPasswordRule,
                             outbox: outbox, mailDropDirectory: application.settings.mailDropDirectory, logger: application.logger, now: now)
    }
}
