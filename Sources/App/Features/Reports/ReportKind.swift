/// The four reports of issue #14 item 4, each a section of the page and a download of its own.
enum ReportKind: String, CaseIterable, Sendable {
    case applications
    case decisions
    case compliance
    case partners
}
