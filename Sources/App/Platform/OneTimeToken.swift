import Crypto
import Fluent
import Vapor

/// One-time tokens in links: random, 256 bits, stored only as their SHA-256.
enum OneTimeToken {
    static func make() -> (token: String, hash: String) {
        let token = SymmetricKey(size: .bits256).withUnsafeBytes { Data($0).base64URLEncodedString() }
        return (token, hash(token))
    }

    static func hash(_ token: String) -> String {
        hex(SHA256.hash(data: Data(token.utf8)))
    }

    /// Lower-case hex, without `String(format:)` (slow, and a batch of group cards hashes thousands of tokens).
    static func hex(_ bytes: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
