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

/// One JSON object per line on standard error, with every message and metadata value redacted.
public struct OneCardLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level
    let label: String
    let write: @Sendable (String) -> Void

    public init(label: String, level: Logger.Level, write: @escaping @Sendable (String) -> Void = OneCardLogHandler.standardError) {
        self.label = label
        self.logLevel = level
        self.write = write
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var fields: [String: Any] = [
            "ts": ISO8601DateFormatter.withFractions.string(from: Date()),
            "level": event.level.rawValue,
            "logger": label,
            "msg": LogRedactor.scrub(event.message.description),
        ]
        for (key, value) in metadata.merging(event.metadata ?? [:], uniquingKeysWith: { $1 }) {
            fields[key] = Self.json(LogRedactor.scrub(value, key: key))
        }
        if let error = event.error {
            fields["error"] = LogRedactor.scrub(String(describing: error))
        }
        guard let data = try? JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys, .withoutEscapingSlashes]) else {
            return
        }
        write(String(decoding: data, as: UTF8.self))
    }

    static func json(_ value: Logger.MetadataValue) -> Any {
        switch value {
        case .string(let text): text
        case .stringConvertible(let convertible): convertible.description
        case .array(let values): values.map(json)
        case .dictionary(let dictionary): dictionary.mapValues(json)
        }
    }

    public static let standardError: @Sendable (String) -> Void = { line in
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}

extension ISO8601DateFormatter {
    nonisolated(unsafe) static let withFractions: ISO8601DateFormatter = {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter
    }()
}

public enum OneCardLogging {
    /// Installs the redacting JSON handler; `--log` and `LOG_LEVEL` choose the level as in Vapor.
    public static func bootstrap(from environment: inout Environment) throws {
        let level = try Logger.Level.detect(from: &environment)
        LoggingSystem.bootstrap { label in OneCardLogHandler(label: label, level: level) }
    }
}
