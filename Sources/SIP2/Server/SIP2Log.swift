import Foundation

/// One thing the server wants logged. The server never puts passwords (CO, AD) or patron
/// identifiers into these; login user names and client addresses appear.
public struct SIP2LogRecord: Sendable, Hashable, CustomStringConvertible {
    public enum Level: String, Sendable, Hashable, Comparable {
        case debug, info, notice, warning, error

        public static func < (lhs: Level, rhs: Level) -> Bool {
            let order: [Level] = [.debug, .info, .notice, .warning, .error]
            return order.firstIndex(of: lhs)! < order.firstIndex(of: rhs)!
        }
    }

    public var level: Level
    /// A stable short event name, e.g. `login_failed`, `connection_refused`.
    public var event: String
    public var message: String
    public var metadata: [String: String]

    public init(level: Level, event: String, message: String, metadata: [String: String] = [:]) {
        self.level = level
        self.event = event
        self.message = message
        self.metadata = metadata
    }

    public var description: String {
        let details = metadata.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        return "[\(level.rawValue)] sip2.\(event): \(message)" + (details.isEmpty ? "" : " " + details)
    }
}

/// Keeps text from the network safe to log: printable, bounded.
func loggable(_ text: String, limit: Int = 64) -> String {
    let cleaned = text.unicodeScalars.prefix(limit).map { $0.properties.generalCategory == .control ? "?" : Character($0) }
    return String(cleaned) + (text.unicodeScalars.count > limit ? "…" : "")
}

/// A value behind a lock, for the few shared mutable states of the server.
final class LockedState<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value

    init(_ value: Value) { self.value = value }

    func withLock<Result>(_ body: (inout Value) throws -> Result) rethrows -> Result {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }
}
