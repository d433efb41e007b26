import Vapor

extension Request {
    var renewedConsent: RenewedConsent {
        RenewedConsent(database: db, now: now, accounts: patronAccountService)
    }

    /// Every reader sign-in (the web form, Taipei Pass, OpenID Connect, EZproxy) calls this once the session
    /// holds the reader: when a consent version asks for renewed consent, the reader is sent to answer it
    /// first, and `continuation` (a path of this site, never one the browser sent) is where they go on to
    /// afterwards. Nil when there is nothing to ask: the caller goes on as before.
    func askRenewedConsent(of patronID: UUID, thenTo continuation: String, channel: String) async throws -> Response? {
        guard try await !renewedConsent.questions(for: patronID).isEmpty else { return nil }
        session.data[RenewedConsentController.continuationKey] = continuation
        session.data[RenewedConsentController.channelKey] = channel
        return redirect(to: SiteURL.accountRenewedConsent.path, redirectType: .normal)
    }
}
