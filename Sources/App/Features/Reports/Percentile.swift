/// Percentiles by linear interpolation between the two nearest ranks, as PostgreSQL's `percentile_cont` and
/// Excel's `PERCENTILE.INC` compute them, so an administrator can check a figure in a spreadsheet.
///
/// The database sorts and picks the ranks (`ReportsQuery`); this says which ranks, with integer arithmetic
/// that SQL repeats exactly: of `n` sorted values, the `p`-th percentile lies `(n - 1) × p` places after the
/// first, between the values of 1-based ranks `lower` and `lower + 1`.
struct Percentile: Sendable, Equatable {
    /// In tenths: 5 is the median, 9 the 90th percentile.
    let tenths: Int

    static let median = Percentile(tenths: 5)
    static let ninetieth = Percentile(tenths: 9)

    /// The 1-based rank at or below the percentile among `n` values.
    func lowerRank(of n: Int) -> Int { (n - 1) * tenths / 10 + 1 }

    /// How far past `lowerRank` the percentile lies, 0 ≤ fraction < 1.
    func fraction(of n: Int) -> Double { Double((n - 1) * tenths % 10) / 10 }

    /// The percentile of `n` sorted values, given the values at 1-based ranks; nil when `n` is 0.
    func value(of n: Int, rank: (Int) -> Double?) -> Double? {
        guard n > 0, let lower = rank(lowerRank(of: n)) else { return nil }
        let upper = rank(lowerRank(of: n) + 1) ?? lower
        return lower + fraction(of: n) * (upper - lower)
    }
}
