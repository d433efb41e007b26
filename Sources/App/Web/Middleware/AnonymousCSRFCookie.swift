import Crypto
import Foundation
import PersonalDataVault
import Vapor

/// The CSRF token of a visitor who has no session (#13 item 1): a signed double-submit cookie, so that showing
/// a form to an anonymous visitor (sign-in, 網路辦證, the group form, …) writes nothing to the database.
///
/// The cookie holds 256 random bits; the form carries the vault's keyed HMAC of them (`blindIndex` in a context
/// of its own), so a token cannot be made without the server's key, and a token is worth nothing without the
/// cookie it was made for, which another site can neither read nor (being `SameSite=Lax` on our host) send with
/// a cross-site POST. Signed-in sessions keep their own random token (`CSRFMiddleware.sessionKey`), made at
/// sign-in; a session that starts before sign-in (the captcha, the digital card) takes this token over, so the
/// form already on screen stays valid.
enum AnonymousCSRFCookie {
    static let name = "onecard_csrf"
    static let context = "csrf_cookie"

    /// What one request did with the cookie: the value it holds (read or newly made), and whether the
    /// response must set it.
    struct Use {
        let value: String
        let isNew: Bool
        /// A page showed a form with this token: it is one visitor's, so no cache may keep the page.
        var wasShown = false
    }

    static func token(for value: String, vault: PersonalDataVault) -> String {
        vault.blindIndex(value, context: context)
    }

    static func newValue() -> String {
        SymmetricKey(size: .bits256).withUnsafeBytes { Data($0).base64URLEncodedString() }
    }

    /// 256 bits in unpadded base64url: anything else was not made here.
    static func isWellFormed(_ value: String) -> Bool {
        value.utf8.count == 43 && value.utf8.allSatisfy { byte in
            (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
                || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_")
        }
    }

    /// A browser-session cookie (no `Max-Age`): a form left open for hours still posts.
    static func cookie(_ value: String, secure: Bool) -> HTTPCookies.Value {
        HTTPCookies.Value(string: value, path: "/", isSecure: secure, isHTTPOnly: true, sameSite: .lax)
    }
}
