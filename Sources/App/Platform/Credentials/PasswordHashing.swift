import Foundation
import Vapor

/// Hashes and verifies passwords (bcrypt at the configured cost, `ONECARD_PASSWORD_HASH_COST`) on the
/// hashing pool's own threads, taking a place there first (`PasswordHashingPool`). Every password that is
/// set or checked goes through here, so no bcrypt runs on the application's thread pool beside SQLite.
struct PasswordHashing: Sendable {
    /// The app's hasher (`app.passwords`): bcrypt, or a counting or blocking one in tests.
    let hasher: any PasswordHasher
    let pool: PasswordHashingPool
    /// The bcrypt cost new hashes get; a hash made at another cost is replaced at its next successful check.
    let cost: Int
    /// True inside `withPlace`: the caller already holds a place, so hashing does not take a second one.
    private var holdsPlace = false

    init(hasher: any PasswordHasher, pool: PasswordHashingPool, cost: Int) {
        self.hasher = hasher
        self.pool = pool
        self.cost = cost
    }

    /// What a verification answers: whether the password is right and, when it was right and asked for, a
    /// new hash of it at the configured cost to store instead of the old one.
    struct Verification: Sendable {
        var verified: Bool
        var upgradedHash: String?
    }

    /// Runs `body` holding one place in the pool, so that a sign-in refused for want of one is refused
    /// before it counts an attempt or writes anything. Throws `PasswordHashingBusy` when there is none.
    func withPlace<T>(_ body: (PasswordHashing) async throws -> T) async throws -> T {
        if holdsPlace { return try await body(self) }
        try pool.enter()
        var inside = self
        inside.holdsPlace = true
        do {
            let result = try await body(inside)
            pool.leave()
            return result
        } catch {
            pool.leave()
            throw error
        }
    }

    func hash(_ password: String) async throws -> String {
        try await withPlace { hashing in
            try await hashing.pool.run { [hasher = hashing.hasher] in try hasher.hash(password) }
        }
    }

    func verify(_ password: String, created hash: String) async throws -> Bool {
        try await verify(password, created: hash, upgrading: false).verified
    }

    /// Verifies `password` against `hash`; with `upgrading`, a right password whose hash is not at the
    /// configured cost is hashed again in the same turn on the pool (`needsUpgrade`).
    func verify(_ password: String, created hash: String, upgrading: Bool) async throws -> Verification {
        let upgrade = upgrading && needsUpgrade(hash)
        return try await withPlace { hashing in
            try await hashing.pool.run { [hasher = hashing.hasher] in
                guard try hasher.verify(password, created: hash) else { return Verification(verified: false) }
                return Verification(verified: true, upgradedHash: upgrade ? try hasher.hash(password) : nil)
            }
        }
    }

    /// True for a hash that is not bcrypt `$2b$` at the configured cost: made before the cost was changed
    /// (cost 12 until issue #13), or by another bcrypt variant.
    func needsUpgrade(_ hash: String) -> Bool {
        !hash.hasPrefix(Self.prefix(cost: cost))
    }

    static func prefix(cost: Int) -> String {
        "$2b$" + (cost < 10 ? "0\(cost)" : "\(cost)") + "$"
    }

    /// A hash that no password matches, verified when a sign-in finds no account so that it costs a full
    /// bcrypt at the configured cost like a real one. Made from a cost-4 hash (well under a millisecond)
    /// given the configured cost in its prefix: verifying recomputes at that cost and never matches the
    /// cost-4 checksum. Issue #13 item 5: every process used to compute a real cost-12 hash at start (0.3 s
    /// of CPU, 87% of an offline `roster check`).
    static func decoyHash(cost: Int) throws -> String {
        let cheap = try Bcrypt.hash(UUID().uuidString, cost: 4)
        return prefix(cost: cost) + cheap.dropFirst(prefix(cost: 4).count)
    }
}
