import Fluent
import Foundation

/// A day a library is closed although government offices work (休館日), skipped in its due dates.
final class LibraryClosedDay: Model, @unchecked Sendable {
    static let schema = "library_closed_days"

    @ID(key: .id) var id: UUID?
    @Parent(key: "library_id") var library: Library
    @Field(key: "day") var day: String
    @Field(key: "reason") var reason: String

    init() {}

    init(libraryID: UUID, day: String, reason: String) {
        self.$library.id = libraryID
        self.day = day
        self.reason = reason
    }
}
