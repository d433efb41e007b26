import Foundation
import Vapor

/// The time source every rule reads, so tests can move the clock instead of sleeping.
public struct OneCardClock: Sendable {
    public var now: @Sendable () -> Date

    public init(now: @escaping @Sendable () -> Date) {
        self.now = now
    }

    public static let system = OneCardClock { Date() }
}
