import Crypto
import Foundation

/// RFC 6238 time-based one-time codes (TOTP) as authenticator apps make them: HMAC-SHA1, a 30-second step,
/// 6 digits, with the secret shown in RFC 4648 base32. Written here because no maintained Swift package of
/// the project's dependencies does it; the algorithm is 20 lines on top of swift-crypto's HMAC, and the
/// tests check it against PyPI `pyotp`.
struct TimeBasedCode: Sendable {
    static let step: TimeInterval = 30
    static let digits = 6
    /// Codes of one step before and after now are accepted too, for a phone whose clock is a little off.
    static let window = 1

    let secret: [UInt8]

    /// A new random 160-bit secret (RFC 4226 recommends 160 bits).
    static func random() -> TimeBasedCode {
        TimeBasedCode(secret: SymmetricKey(size: SymmetricKeySize(bitCount: 160)).withUnsafeBytes { Array($0) })
    }

    /// The step `date` falls in (RFC 6238 T = floor(unix time / 30)).
    static func counter(at date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 / step).rounded(.down))
    }

    /// The code of one step.
    func code(counter: Int64) -> String {
        var big = UInt64(bitPattern: counter).bigEndian
        let message = withUnsafeBytes(of: &big) { Data($0) }
        let mac = Array(HMAC<Insecure.SHA1>.authenticationCode(for: message, using: SymmetricKey(data: secret)))
        let offset = Int(mac[mac.count - 1] & 0x0f)
        let truncated = (UInt32(mac[offset] & 0x7f) << 24) | (UInt32(mac[offset + 1]) << 16)
            | (UInt32(mac[offset + 2]) << 8) | UInt32(mac[offset + 3])
        let value = truncated % 1_000_000
        return String(repeating: "0", count: Self.digits - String(value).count) + String(value)
    }

    /// The step within the window around `date` whose code `typed` is, or nil. Spaces are ignored (apps show "123 456").
    func matchingCounter(_ typed: String, at date: Date) -> Int64? {
        let digits = typed.filter { !$0.isWhitespace }
        guard digits.count == Self.digits, digits.allSatisfy(\.isASCII), digits.allSatisfy(\.isNumber) else { return nil }
        let now = Self.counter(at: date)
        var found: Int64?
        // Every step in the window is computed and compared in constant time, so the answer's timing does not tell which matched.
        for counter in (now - Int64(Self.window))...(now + Int64(Self.window)) {
            let expected = Array(code(counter: counter).utf8)
            let given = Array(digits.utf8)
            var difference: UInt8 = 0
            for (a, b) in zip(expected, given) { difference |= a ^ b }
            if difference == 0 && found == nil { found = counter }
        }
        return found
    }

    /// The secret in base32 without padding, as authenticator apps take it typed or in the QR code.
    var base32: String { Self.base32(secret) }

    /// The `otpauth://` URI an authenticator app reads from the QR code (Google Authenticator's Key Uri Format).
    func uri(account: String, issuer: String) -> String {
        var components = URLComponents()
        components.scheme = "otpauth"
        components.host = "totp"
        components.path = "/" + issuer + ":" + account
        components.queryItems = [
            URLQueryItem(name: "secret", value: base32),
            URLQueryItem(name: "issuer", value: issuer),
            URLQueryItem(name: "algorithm", value: "SHA1"),
            URLQueryItem(name: "digits", value: String(Self.digits)),
            URLQueryItem(name: "period", value: String(Int(Self.step))),
        ]
        return components.string!
    }

    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")

    static func base32(_ bytes: [UInt8]) -> String {
        var output = ""
        var buffer = 0
        var bits = 0
        for byte in bytes {
            buffer = (buffer << 8) | Int(byte)
            bits += 8
            while bits >= 5 {
                output.append(alphabet[(buffer >> (bits - 5)) & 31])
                bits -= 5
            }
            buffer &= (1 << bits) - 1
        }
        if bits > 0 { output.append(alphabet[(buffer << (5 - bits)) & 31]) }
        return output
    }

    /// The bytes of a base32 secret (upper or lower case, spaces and padding ignored), or nil.
    static func bytes(base32 text: String) -> [UInt8]? {
        var output: [UInt8] = []
        var buffer = 0
        var bits = 0
        for character in text.uppercased() where character != " " && character != "=" {
            guard let value = alphabet.firstIndex(of: character) else { return nil }
            buffer = (buffer << 5) | value
            bits += 5
            if bits >= 8 {
                output.append(UInt8((buffer >> (bits - 8)) & 0xff))
                bits -= 8
                buffer &= (1 << bits) - 1
            }
        }
        return output
    }
}
