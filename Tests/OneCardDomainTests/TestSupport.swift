import Foundation

/// SplitMix64: a tiny seeded generator, so generated cases are the same on every run and every machine.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// The office calendars the app ships, read from the repository so the tests need nothing outside it.
enum CalendarFixtures {
    static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent() // OneCardDomainTests
        .deletingLastPathComponent() // Tests
        .deletingLastPathComponent()

    static func officialCalendarData(year: Int) throws -> Data {
        let url = repositoryRoot.appendingPathComponent("Sources/App/Resources/Calendars/\(year).csv")
        return try Data(contentsOf: url)
    }
}

extension Result {
    /// The failure, or nil on success; keeps `#expect` lines short.
    var failure: Failure? {
        if case .failure(let error) = self { return error }
        return nil
    }

    var success: Success? {
        if case .success(let value) = self { return value }
        return nil
    }
}
