import Fluent
import Foundation
import Vapor

extension Request {
    /// The client address as the server saw it (the peer, not a forgeable header).
    var clientAddress: String? { remoteAddress?.ipAddress }
}
