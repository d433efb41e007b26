import Fluent
import Foundation
import Vapor

/// One entry of an account's allowed client addresses: an exact address or an IPv4 CIDR block.
struct AddressRule: Equatable {
    let network: UInt32?
    let prefix: Int
    let exact: String?

    init?(_ text: String) {
        let text = text.trimmingCharacters(in: .whitespaces)
        let parts = text.split(separator: "/", maxSplits: 1)
        if parts.count == 2 {
            guard let network = Self.ipv4(String(parts[0])), let prefix = Int(parts[1]), (0...32).contains(prefix) else { return nil }
            self.network = network
            self.prefix = prefix
            self.exact = nil
        } else {
            guard !text.isEmpty, Self.ipv4(text) != nil || text.contains(":") else { return nil }
            self.network = nil
            self.prefix = 0
            self.exact = text
        }
    }

    static func ipv4(_ text: String) -> UInt32? {
        let octets = text.split(separator: ".", omittingEmptySubsequences: false).compactMap { UInt32($0) }
        guard octets.count == 4, octets.allSatisfy({ $0 <= 255 }), text.split(separator: ".").count == 4 else { return nil }
        return octets.reduce(0) { $0 << 8 | $1 }
    }

    func matches(_ address: String) -> Bool {
        if let exact { return exact == address }
        guard let network, let value = Self.ipv4(address) else { return false }
        let mask: UInt32 = prefix == 0 ? 0 : ~UInt32(0) << (32 - prefix)
        return value & mask == network & mask
    }

    /// An allowed-addresses list as typed (commas, spaces or one entry a line; "any" or nothing for every
    /// address), checked and stored comma-separated; the error names the first bad entry. Shared by SIP2
    /// accounts and API clients, on the web and at the command line.
    static func normalizedList(_ text: String) throws -> String {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.lowercased() == "any" { return "" }
        let entries = trimmed.split(whereSeparator: { $0 == "," || $0.isWhitespace }).map(String.init)
        if let bad = entries.first(where: { AddressRule($0) == nil }) { throw SystemsError.addressInvalid(bad) }
        return entries.joined(separator: ",")
    }

    /// Whether `address` may connect under a comma-separated list; an empty list allows everyone.
    static func allows(_ list: String, address: String?) -> Bool {
        let rules = list.split(separator: ",").compactMap { AddressRule(String($0)) }
        guard !rules.isEmpty else { return true }
        guard let address else { return false }
        return rules.contains { $0.matches(address) }
    }
}
