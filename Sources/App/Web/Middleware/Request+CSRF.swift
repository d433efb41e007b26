import Crypto
import Vapor

extension Request {
    /// The token forms embed with `#csrfField()`: the session's when there is a session, created on first use;
    /// otherwise the visitor's CSRF cookie's (`AnonymousCSRFCookie`), with a new cookie when there is none, so a
    /// visitor who only opens a form gets no session row.
    public var csrfToken: String {
        guard hasSession else {
            var use = anonymousCSRFCookie(issuing: true)!
            use.wasShown = true
            storage[StorageKeys.CSRFCookieKey.self] = use
            return AnonymousCSRFCookie.token(for: use.value, vault: application.vault)
        }
        if let token = session.data[CSRFMiddleware.sessionKey] {
            return token
        }
        // A session that starts before sign-in keeps the token of the form already on screen; sign-in
        // replaces it with a random one (`rotateSession`).
        let token = anonymousCSRFCookie(issuing: false).map { AnonymousCSRFCookie.token(for: $0.value, vault: application.vault) }
            ?? CSRFMiddleware.newSessionToken()
        session.data[CSRFMiddleware.sessionKey] = token
        return token
    }

    /// The token a state-changing request must offer: its session's, or else its CSRF cookie's; nil when it
    /// has neither (nothing to compare with).
    var expectedCSRFToken: String? {
        if hasSession, let token = session.data[CSRFMiddleware.sessionKey] {
            return token
        }
        return anonymousCSRFCookie(issuing: false).map { AnonymousCSRFCookie.token(for: $0.value, vault: application.vault) }
    }

    /// This request's CSRF cookie, as sent (when well formed) or as made in this request; with `issuing`, a
    /// new one is made when there is none (`CSRFMiddleware` sets it on the response).
    func anonymousCSRFCookie(issuing: Bool) -> AnonymousCSRFCookie.Use? {
        if let use = storage[StorageKeys.CSRFCookieKey.self] { return use }
        if let sent = cookies[AnonymousCSRFCookie.name]?.string, AnonymousCSRFCookie.isWellFormed(sent) {
            let use = AnonymousCSRFCookie.Use(value: sent, isNew: false)
            storage[StorageKeys.CSRFCookieKey.self] = use
            return use
        }
        guard issuing else { return nil }
        let use = AnonymousCSRFCookie.Use(value: AnonymousCSRFCookie.newValue(), isNew: true)
        storage[StorageKeys.CSRFCookieKey.self] = use
        return use
    }
}

extension Data {
    func base64URLEncodedString() -> String {
        var out: [UInt8] = []
        out.reserveCapacity((count * 4 + 2) / 3)
        for byte in base64EncodedData() {
            switch byte {
            case UInt8(ascii: "+"): out.append(UInt8(ascii: "-"))
            case UInt8(ascii: "/"): out.append(UInt8(ascii: "_"))
            case UInt8(ascii: "="): continue
            default: out.append(byte)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
