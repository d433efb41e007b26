import Crypto
import Vapor

extension Request {
    /// The session's CSRF token, created on first use; forms embed it with `#csrfField()`.
    public var csrfToken: String {
        if let token = session.data[CSRFMiddleware.sessionKey] {
            return token
        }
        let token = SymmetricKey(size: .bits256).withUnsafeBytes { Data($0).base64URLEncodedString() }
        session.data[CSRFMiddleware.sessionKey] = token
        return token
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
