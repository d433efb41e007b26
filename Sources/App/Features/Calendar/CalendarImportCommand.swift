import Fluent
import Foundation
import OneCardDomain
import Vapor

struct CalendarImportCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Argument(name: "file", help: "An official calendar CSV (西元日期,星期,是否放假,備註)")
        var file: String
    }

    var help: String { "Imports an official government office calendar CSV" }

    func run(using context: CommandContext, signature: Signature) async throws {
        guard let data = FileManager.default.contents(atPath: signature.file) else {
            throw CommandInputError(description: "cannot read \(signature.file)")
        }
        let entries: [OfficialCalendarEntry]
        do {
            entries = try OfficialCalendarCSV.parse(data)
        } catch {
            throw CommandInputError(description: "\(signature.file): \(error)")
        }
        guard let first = entries.map(\.day).min(), let last = entries.map(\.day).max() else {
            throw CommandInputError(description: "\(signature.file) holds no days")
        }
        try await OfficialCalendarStore.replace(entries, on: context.application.db)
        let daysOff = entries.filter(\.isDayOff).count
        context.console.print("Imported \(entries.count) days (\(first.iso) to \(last.iso)), \(daysOff) of them days off.")
    }
}
