import Foundation
import NIOConcurrencyHelpers
import XCTVapor

/// Bcrypt that counts how often each hash was verified against, so a test can tell how many guesses
/// reached an account's real password hash (rather than the decoy).
final class CountingPasswordHasher: PasswordHasher {
    private let cost: Int
    private let counts = NIOLockedValueBox<[String: Int]>([:])

    init(cost: Int = 10) {
        self.cost = cost
    }

    func hash<Password: DataProtocol>(_ password: Password) throws -> [UInt8] {
        Array(try Bcrypt.hash(String(decoding: password, as: UTF8.self), cost: cost).utf8)
    }

    func verify<Password: DataProtocol, Digest: DataProtocol>(_ password: Password, created digest: Digest) throws -> Bool {
        let hash = String(decoding: digest, as: UTF8.self)
        counts.withLockedValue { $0[hash, default: 0] += 1 }
        return try Bcrypt.verify(String(decoding: password, as: UTF8.self), created: hash)
    }

    /// How many passwords were verified against `hash`.
    func verifications(of hash: String) -> Int {
        counts.withLockedValue { $0[hash] ?? 0 }
    }
}
