import Foundation

/// A chart drawn on the server as SVG shapes for `staff/reports.leaf` (issue #14 item 4): no script, no
/// library. The template writes the `<svg role="img">` with its `<title>` and `<desc>`; the figures are in
/// the table beside it. Coordinates are in the SVG's own units; the picture scales to the page's width.
struct ReportChart: Encodable, Sendable {
    struct Rect: Encodable, Sendable { let x, y, width, height: String; let fill: String }
    struct Label: Encodable, Sendable { let x, y: String; let text: String; let anchor: String }
    struct Line: Encodable, Sendable { let x1, y1, x2, y2: String }
    struct Legend: Encodable, Sendable { let name: String; let fill: String }

    let id: String
    let title: String
    let summary: String
    let width: Int
    let height: Int
    let rects: [Rect]
    let labels: [Label]
    let lines: [Line]
    let legend: [Legend]

    /// Okabe and Ito's palette, told apart with each kind of colour blindness; after eight it repeats.
    static let palette = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#000000", "#F0E442"]

    static let width = 520
    private static func n(_ value: Double) -> String { String(format: "%.1f", value) }

    /// The smallest of 1, 2 or 5 × 10ⁿ at or above `value` (at least 1), for a y axis with round figures.
    static func roundedUp(_ value: Double) -> Double {
        guard value > 1 else { return 1 }
        let power = pow(10, floor(log10(value)))
        for step in [1.0, 2, 5, 10] where step * power >= value { return step * power }
        return 10 * power
    }

    /// Vertical bars, one per category, each stacked from its series' values (`values[category][series]`).
    static func stackedColumns(id: String, title: String, summary: String, categories: [String], series: [String],
                               values: [[Int]], unit: String) -> ReportChart {
        let height = 260, left = 44.0, right = 8.0, top = 10.0, bottom = 40.0
        let plotWidth = Double(width) - left - right, plotHeight = Double(height) - top - bottom
        let top1 = roundedUp(Double(values.map { $0.reduce(0, +) }.max() ?? 0))
        var rects: [Rect] = [], labels: [Label] = [], lines: [Line] = []
        for step in 0...4 {
            let value = top1 * Double(step) / 4
            let y = top + plotHeight - plotHeight * Double(step) / 4
            lines.append(Line(x1: n(left), y1: n(y), x2: n(left + plotWidth), y2: n(y)))
            labels.append(Label(x: n(left - 4), y: n(y + 5), text: value == value.rounded() ? String(Int(value)) : n(value), anchor: "end"))
        }
        let slot = plotWidth / Double(max(categories.count, 1))
        let barWidth = max(slot * 0.8, 0.6)
        for (index, stack) in values.enumerated() {
            var base = top + plotHeight
            for (serie, value) in stack.enumerated() where value > 0 {
                let h = plotHeight * Double(value) / top1
                base -= h
                rects.append(Rect(x: n(left + slot * Double(index) + (slot - barWidth) / 2), y: n(base), width: n(barWidth), height: n(h),
                                  fill: palette[serie % palette.count]))
            }
        }
        // At most six category labels, evenly spread, first and last included.
        let shown = categories.count <= 6 ? Array(categories.indices)
            : (0..<6).map { $0 * (categories.count - 1) / 5 }
        for index in shown {
            let x = left + slot * (Double(index) + 0.5)
            let anchor = categories.count > 1 && index == categories.count - 1 ? "end" : (index == 0 && categories.count > 6 ? "start" : "middle")
            labels.append(Label(x: n(x), y: n(top + plotHeight + 22), text: shortDay(categories[index]), anchor: anchor))
        }
        labels.append(Label(x: n(left), y: n(Double(height) - 2), text: unit, anchor: "start"))
        return ReportChart(id: id, title: title, summary: summary, width: width, height: height, rects: rects, labels: labels,
                           lines: lines, legend: series.enumerated().map { Legend(name: $1, fill: palette[$0 % palette.count]) })
    }

    /// `2026-12-07` → `12-07`; a month stays as it is.
    private static func shortDay(_ text: String) -> String { text.count == 10 ? String(text.dropFirst(5)) : text }

    /// Horizontal bars: per category one bar per series (`values[category][series]`), or, `stacked`, one bar
    /// whose parts add up to 100%. `valueLabels[category]` is written at the end of the category's bars.
    static func bars(id: String, title: String, summary: String, categories: [String], series: [String], fills: [String],
                     values: [[Double]], stacked: Bool, valueLabels: [[String]]) -> ReportChart {
        let left = 150.0, right = 70.0, top = 8.0, barHeight = 16.0, gap = 14.0
        let perCategory = stacked ? barHeight : barHeight * Double(series.count)
        let height = Int(top * 2 + (perCategory + gap) * Double(categories.count))
        let plotWidth = Double(width) - left - right
        let largest = stacked ? 1 : max(values.flatMap { $0 }.max() ?? 0, 0.1)
        var rects: [Rect] = [], labels: [Label] = [], lines: [Line] = []
        lines.append(Line(x1: n(left), y1: n(top - 4), x2: n(left), y2: n(Double(height) - top + 4)))
        for (index, name) in categories.enumerated() {
            let y0 = top + (perCategory + gap) * Double(index)
            labels.append(Label(x: n(left - 6), y: n(y0 + perCategory / 2 + 5), text: name, anchor: "end"))
            var x = left
            for (serie, value) in values[index].enumerated() {
                let w = plotWidth * value / largest
                let y = stacked ? y0 : y0 + barHeight * Double(serie)
                if w > 0 {
                    rects.append(Rect(x: n(stacked ? x : left), y: n(y), width: n(w), height: n(barHeight - 2), fill: fills[serie % fills.count]))
                }
                if stacked { x += w } else {
                    labels.append(Label(x: n(left + w + 4), y: n(y + barHeight - 4), text: valueLabels[index][serie], anchor: "start"))
                }
            }
            if stacked {
                labels.append(Label(x: n(left + plotWidth + 4), y: n(y0 + barHeight - 4), text: valueLabels[index].first ?? "", anchor: "start"))
            }
        }
        return ReportChart(id: id, title: title, summary: summary, width: width, height: height, rects: rects, labels: labels,
                           lines: lines, legend: series.enumerated().map { Legend(name: $1, fill: fills[$0 % fills.count]) })
    }
}
