import Fluent
import Foundation
import Logging
import NIOConcurrencyHelpers
import OneCardDomain
import SIP2
import Vapor

/// Thrown for a connection whose account was disabled after it logged in; the SIP2 server closes it.
struct SIP2AccountDisabled: Error, CustomStringConvertible {
    let account: String
    var description: String { "SIP2 account \(account) has been disabled" }
}
