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

    /// Gridlines on the y axis.
    static let steps = 5

    /// The top of a y axis whose `steps` gridlines fall on round figures (1, 2, 2.5 or 5 × 10ⁿ apart), at or
    /// above `value` (at least `steps`).
    static func roundedUp(_ value: Double) -> Double {
        let step = max(value / Double(steps), 1)
        let power = pow(10, floor(log10(step)))
        for nice in [1.0, 2, 2.5, 5, 10] where nice * power >= step { return nice * power * Double(steps) }
        return 10 * power * Double(steps)
    }

    /// Vertical bars, one per category, each stacked from its series' values (`values[category][series]`).
    static func stackedColumns(id: String, title: String, summary: String, categories: [String], series: [String],
                               values: [[Int]], unit: String) -> ReportChart {
        let height = 270, left = 48.0, right = 8.0, top = 12.0, bottom = 46.0
        let plotWidth = Double(width) - left - right, plotHeight = Double(height) - top - bottom
        let top1 = roundedUp(Double(values.map { $0.reduce(0, +) }.max() ?? 0))
        var rects: [Rect] = [], labels: [Label] = [], lines: [Line] = []
        for step in 0...steps {
            let value = top1 * Double(step) / Double(steps)
            let y = top + plotHeight - plotHeight * Double(step) / Double(steps)
            lines.append(Line(x1: n(left), y1: n(y), x2: n(left + plotWidth), y2: n(y)))
            labels.append(Label(x: n(left - 4), y: n(y + 6), text: value == value.rounded() ? String(Int(value)) : n(value), anchor: "end"))
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
            // A few wide columns: each label under its own; many thin ones: the outer labels kept inside the picture.
            let anchor = categories.count <= 6 ? "middle" : (index == 0 ? "start" : (index == categories.count - 1 ? "end" : "middle"))
            labels.append(Label(x: n(x), y: n(top + plotHeight + 20), text: shortDay(categories[index]), anchor: anchor))
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
        // Each category's name on a line of its own above its bars, so a long name never runs off a phone's screen.
        let left = 8.0, right = 76.0, top = 4.0, barHeight = 18.0, gap = 10.0, nameHeight = 24.0
        let perCategory = nameHeight + (stacked ? barHeight : barHeight * Double(series.count))
        let height = Int(top * 2 + (perCategory + gap) * Double(categories.count))
        let plotWidth = Double(width) - left - right
        let largest = stacked ? 1 : max(values.flatMap { $0 }.max() ?? 0, 0.1)
        var rects: [Rect] = [], labels: [Label] = [], lines: [Line] = []
        for (index, name) in categories.enumerated() {
            let y0 = top + (perCategory + gap) * Double(index)
            labels.append(Label(x: n(left), y: n(y0 + 17), text: name, anchor: "start"))
            let barsTop = y0 + nameHeight
            lines.append(Line(x1: n(left), y1: n(barsTop - 2), x2: n(left), y2: n(y0 + perCategory)))
            var x = left
            for (serie, value) in values[index].enumerated() {
                let w = plotWidth * value / largest
                let y = stacked ? barsTop : barsTop + barHeight * Double(serie)
                if w > 0 {
                    rects.append(Rect(x: n(stacked ? x : left), y: n(y), width: n(w), height: n(barHeight - 2), fill: fills[serie % fills.count]))
                }
                if stacked { x += w } else {
                    labels.append(Label(x: n(left + w + 4), y: n(y + barHeight - 4), text: valueLabels[index][serie], anchor: "start"))
                }
            }
            if stacked {
                labels.append(Label(x: n(left + plotWidth + 4), y: n(barsTop + barHeight - 4), text: valueLabels[index].first ?? "", anchor: "start"))
            }
        }
        return ReportChart(id: id, title: title, summary: summary, width: width, height: height, rects: rects, labels: labels,
                           lines: lines, legend: series.enumerated().map { Legend(name: $1, fill: fills[$0 % fills.count]) })
    }
}
