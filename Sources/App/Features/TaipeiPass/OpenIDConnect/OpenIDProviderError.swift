import Foundation
import JWTKit
import NIOConcurrencyHelpers
import Vapor

/// Why the provider could not be used; logged, never shown (the reader sees one localized message).
struct OpenIDProviderError: Error, CustomStringConvertible, Equatable {
    let description: String
    init(_ description: String) { self.description = description }
}
