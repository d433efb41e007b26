import Vapor

extension Request {
    /// The 台北通 flow for this request, built from the app's settings and provider; nil when 台北通 is
    /// not configured.
    var taipeiPass: TaipeiPassService? {
        TaipeiPassService(settings: application.settings.taipeiPass, provider: application.taipeiPassProvider,
                          redirectURI: application.settings.taipeiPassRedirectURI, database: db, vault: application.vault,
                          client: client, logger: logger, clock: application.clock)
    }

    /// Keeps the sealed pending authorization until the callback: one flow per session, so starting
    /// again replaces an unfinished one.
    func keepTaipeiPassAuthorization(_ started: TaipeiPassService.Started) {
        session.data[PendingAuthorization.sessionKey] = started.sealedPending
    }

    /// Takes the pending authorization out of the session, so a callback works once.
    func takeTaipeiPassAuthorization() -> String? {
        guard hasSession, let sealed = session.data[PendingAuthorization.sessionKey] else { return nil }
        session.data[PendingAuthorization.sessionKey] = nil
        return sealed
    }
}
