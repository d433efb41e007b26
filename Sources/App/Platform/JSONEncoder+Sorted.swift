import Fluent
import Foundation
import OneCardDomain
import ReaderDataFile
import Vapor

/// A JSON string literal.
func jsonString(_ text: String) -> String {
    (try? String(decoding: JSONEncoder.sorted.encode(text), as: UTF8.self)) ?? "\"\""
}

extension JSONEncoder {
    static let sorted: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()
}
