import Fluent
import Foundation
import OneCardDomain

/// The government office calendars for 2025 and 2026, built in. Later years arrive through
/// `onecard calendar import`, never through a code change.
struct SeedOfficialCalendars: AsyncMigration {
    static let builtInYears = [2025, 2026]

    func prepare(on database: any Database) async throws {
        var entries: [OfficialCalendarEntry] = []
        for year in Self.builtInYears {
            let path = Resources.path("Calendars/\(year).csv")
            guard let data = FileManager.default.contents(atPath: path) else {
                throw ConfigurationError(variable: "resources", problem: "are missing \(path)")
            }
            entries += try OfficialCalendarCSV.parse(data)
        }
        try await OfficialCalendarStore.replace(entries, on: database)
    }

    func revert(on database: any Database) async throws {
        for year in Self.builtInYears {
            try await OfficialCalendarDay.query(on: database)
                .filter(\.$day >= "\(year)-01-01").filter(\.$day <= "\(year)-12-31").delete()
        }
    }
}
