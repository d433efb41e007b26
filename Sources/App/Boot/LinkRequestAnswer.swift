import Fluent
import Foundation
import PersonalDataVault
import Vapor

/// Answers the link requests the outbox holds (`LinkRequest`): each purpose goes to the service that
/// owns its links, which looks the person up and queues the email, or nothing.
struct LinkRequestAnswer {
    let database: any Database
    let vault: PersonalDataVault
    let passwords: PasswordHashing
    let passwordRule: ReaderPasswordRule
    let outbox: Outbox
    let baseURL: URL
    let now: Date

    func answer(_ row: OutboxMessage) async throws {
        let request = try LinkRequest.open(row, with: vault)
        let locale = SiteLocale(rawValue: request.locale) ?? .zhTW
        switch request.purpose {
        case .passwordReset:
            try await PasswordResetService(database: database, vault: vault, passwords: passwords, passwordRule: passwordRule,
                                           outbox: outbox, baseURL: baseURL, now: now)
                .sendLink(identifier: request.identifier, fallbackLocale: locale, ipAddress: request.ipAddress)
        case .groupContact:
            try await GroupContactAccess(baseURL: baseURL, now: now)
                .emailLinks(to: request.identifier, ipAddress: request.ipAddress, outbox: outbox, on: database)
        }
    }
}

extension Application {
    /// The outbox worker's handler for link requests, with the app's services at the time of each one.
    var linkRequestHandler: OutboxWorker.Handler {
        { [self] row in
            try await LinkRequestAnswer(database: db, vault: vault, passwords: passwordHashing,
                                        passwordRule: ReaderPasswordRule(vault: vault, policy: passwordPolicy),
                                        outbox: outbox, baseURL: settings.baseURL, now: clock.now()).answer(row)
        }
    }
}
