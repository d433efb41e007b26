import Foundation
import Logging
import Vapor

/// Removes personal data and secrets from log text: Taiwan ID numbers, and the values of anything that
/// looks like a token, password or authorization header.
public enum LogRedactor {
    static let idNumberPattern = try! NSRegularExpression(pattern: "(?<![A-Za-z0-9])[A-Za-z][12ABCD89][0-9]{8}(?![0-9])")
    static let secretAssignmentPattern = try! NSRegularExpression(
        pattern: "(?i)(token|password|passwd|secret|authorization|bearer|_csrf|cookie)([\"']?\\s*[=:]\\s*[\"']?|\\s+)((?:bearer\\s+|basic\\s+)?[^\\s&\"',;]+)"
    )
    static let sensitiveKeys = ["password", "token", "secret", "authorization", "cookie", "idnumber", "id_number", "csrf"]

    public static func scrub(_ text: String) -> String {
        var result = text
        // Full-width digits and letters are ID numbers too once normalized.
        let normalized = result.precomposedStringWithCompatibilityMapping
        if normalized != result, idNumberPattern.firstMatch(in: normalized, range: NSRange(normalized.startIndex..., in: normalized)) != nil {
            result = normalized
        }
        result = idNumberPattern.stringByReplacingMatches(
            in: result, range: NSRange(result.startIndex..., in: result), withTemplate: "[redacted-id]")
        result = secretAssignmentPattern.stringByReplacingMatches(
            in: result, range: NSRange(result.startIndex..., in: result), withTemplate: "$1$2[redacted]")
        return result
    }

    static func isSensitive(key: String) -> Bool {
        let lowered = key.lowercased()
        return sensitiveKeys.contains { lowered.contains($0) }
    }

    static func scrub(_ value: Logger.MetadataValue, key: String) -> Logger.MetadataValue {
        if isSensitive(key: key) { return "[redacted]" }
        switch value {
        case .string(let text): return .string(scrub(text))
        case .stringConvertible(let convertible): return .string(scrub(convertible.description))
        case .array(let values): return .array(values.map { scrub($0, key: key) })
        case .dictionary(let dictionary):
            return .dictionary(dictionary.reduce(into: [:]) { $0[$1.key] = scrub($1.value, key: $1.key) })
        }
    }
}
