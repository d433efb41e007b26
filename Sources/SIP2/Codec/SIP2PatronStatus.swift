/// The 14-character patron status of the 24 and 64 responses: a `Y` in a position means the patron is
/// denied that privilege or has that problem, a space means not.
public struct SIP2PatronStatus: Sendable, Hashable {
    public var chargePrivilegesDenied = false  // 1
    public var renewalPrivilegesDenied = false  // 2
    public var recallPrivilegesDenied = false  // 3
    public var holdPrivilegesDenied = false  // 4
    public var cardReportedLost = false  // 5
    public var tooManyItemsCharged = false  // 6
    public var tooManyItemsOverdue = false  // 7
    public var tooManyRenewals = false  // 8
    public var tooManyClaimsOfItemsReturned = false  // 9
    public var tooManyItemsLost = false  // 10
    public var excessiveOutstandingFines = false  // 11
    public var excessiveOutstandingFees = false  // 12
    public var recallOverdue = false  // 13
    public var tooManyItemsBilled = false  // 14

    public init() {}

    /// What Koha and Evergreen send for an unknown patron: `YYYY` and ten spaces.
    public static let unknownPatron: SIP2PatronStatus = {
        var status = SIP2PatronStatus()
        status.denyCirculation()
        return status
    }()

    /// Denies charge, renewal, recall and hold privileges (positions 1–4).
    public mutating func denyCirculation() {
        chargePrivilegesDenied = true
        renewalPrivilegesDenied = true
        recallPrivilegesDenied = true
        holdPrivilegesDenied = true
    }

    private var flags: [Bool] {
        [
            chargePrivilegesDenied, renewalPrivilegesDenied, recallPrivilegesDenied, holdPrivilegesDenied,
            cardReportedLost, tooManyItemsCharged, tooManyItemsOverdue, tooManyRenewals,
            tooManyClaimsOfItemsReturned, tooManyItemsLost, excessiveOutstandingFines, excessiveOutstandingFees,
            recallOverdue, tooManyItemsBilled,
        ]
    }

    /// The 14 characters sent, e.g. `Y             `.
    public var fieldValue: String { String(flags.map { $0 ? "Y" : " " }) }

    /// Reads 14 status characters; anything but a space (or `N`) counts as set.
    public init(fieldValue: some StringProtocol) {
        let flags = Array(fieldValue).map { $0 != " " && $0 != "N" }
        func flag(_ index: Int) -> Bool { index < flags.count ? flags[index] : false }
        chargePrivilegesDenied = flag(0)
        renewalPrivilegesDenied = flag(1)
        recallPrivilegesDenied = flag(2)
        holdPrivilegesDenied = flag(3)
        cardReportedLost = flag(4)
        tooManyItemsCharged = flag(5)
        tooManyItemsOverdue = flag(6)
        tooManyRenewals = flag(7)
        tooManyClaimsOfItemsReturned = flag(8)
        tooManyItemsLost = flag(9)
        excessiveOutstandingFines = flag(10)
        excessiveOutstandingFees = flag(11)
        recallOverdue = flag(12)
        tooManyItemsBilled = flag(13)
    }
}
