import Crypto
import Foundation
import NIOConcurrencyHelpers

/// Patron passwords (`AD`) that SIP2 verified recently. Self-check machines and vendors send the PIN with
/// every message of a session, and each check is a bcrypt; a card and PIN verified within `lifetime` are
/// answered from here instead (issue #13 item 3).
///
/// - Keyed with a secret: an entry's key is an HMAC (a random key of this process, never stored) of the
///   patron, the card's stored password hash and the PIN, so the memory holds no PIN nor anything to
///   test guesses against without the key.
/// - Successes only: a wrong PIN is never remembered, so every wrong one still reaches the throttle and bcrypt.
/// - Dropped when the password changes: the stored hash is part of the key, so from the moment a new
///   password (reset, change, a new hash at another cost) is in the database, the old entries are never
///   found again, on every instance, and they go at their expiry.
/// - `lifetime` at most 10 minutes (5 by default); at most `capacity` entries, expired ones swept first.
final class SIP2PasswordCache: Sendable {
    let lifetime: TimeInterval
    let capacity: Int
    private let key = SymmetricKey(size: .bits256)
    private let entries = NIOLockedValueBox<[Data: Date]>([:])

    init(lifetime: TimeInterval = 5 * 60, capacity: Int = 10_000) {
        self.lifetime = min(lifetime, 10 * 60)
        self.capacity = capacity
    }

    /// True when this patron's `pin` was verified against `storedHash` within the lifetime.
    func contains(patron: UUID, storedHash: String, pin: String, now: Date) -> Bool {
        let key = key(patron: patron, storedHash: storedHash, pin: pin)
        return entries.withLockedValue { entries in
            guard let expiry = entries[key] else { return false }
            if expiry > now { return true }
            entries[key] = nil
            return false
        }
    }

    /// Remembers a verified PIN until `now + lifetime`.
    func insert(patron: UUID, storedHash: String, pin: String, now: Date) {
        let key = key(patron: patron, storedHash: storedHash, pin: pin)
        entries.withLockedValue { entries in
            if entries.count >= capacity {
                entries = entries.filter { $0.value > now }
                if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
            }
            entries[key] = now.addingTimeInterval(lifetime)
        }
    }

    private func key(patron: UUID, storedHash: String, pin: String) -> Data {
        var hmac = HMAC<SHA256>(key: key)
        // Lengths first, so that no two different triples give the same bytes.
        for part in [patron.uuidString, storedHash, pin] {
            let bytes = Array(part.utf8)
            hmac.update(data: withUnsafeBytes(of: UInt32(bytes.count).bigEndian) { Array($0) })
            hmac.update(data: bytes)
        }
        return Data(hmac.finalize())
    }
}
