import Leaf
import LeafKit
import OneCardDomain
import Vapor

/// `#day(isoDay)` — a day the page model holds as ISO (`2026-12-07`), shown in the page's language by
/// `DisplayTime.day` inside `<time datetime="2026-12-07">`, so zh-TW readers see 民國115年12月7日 and machines
/// (and screen readers that use it) still get the ISO date. Anything that is not an ISO day is shown as it is, escaped.
struct DayTag: UnsafeUnescapedLeafTag {
    func render(_ ctx: LeafContext) throws -> LeafData {
        guard let text = ctx.parameters.first?.string, !text.isEmpty else { return .string("") }
        guard let day = CalendarDay(iso: text) else { return .string(Self.escaped(text)) }
        let shown = DisplayTime.day(day, in: ctx.request?.locale ?? .zhTW)
        return .string(#"<time datetime="\#(day.iso)">\#(shown)</time>"#)
    }

    private static func escaped(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
            .replacingOccurrences(of: "'", with: "&#39;")
    }
}
