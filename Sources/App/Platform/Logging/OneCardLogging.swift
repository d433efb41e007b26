import Foundation
import Logging
import Vapor

public enum OneCardLogging {
    /// Installs the redacting JSON handler; `--log` and `LOG_LEVEL` choose the level as in Vapor.
    public static func bootstrap(from environment: inout Environment) throws {
        let level = try Logger.Level.detect(from: &environment)
        LoggingSystem.bootstrap { label in OneCardLogHandler(label: label, level: level) }
    }
}
