import CardBarcode
import Foundation

/// Draws the captcha's digits as a grayscale PNG (encoded by CardBarcode's PNG writer) that a person reads
/// and a template matcher does not (#12 item 9).
///
/// The seed's picture drew fixed 5×7 bitmaps at two scales on a plain background: matching those bitmaps
/// column by column read it every time. Here each digit is a pen stroke with its own rotation, scale, shear
/// and varying width; neighbours touch or overlap; the whole line of text is bent by a wave; arcs in the
/// digits' own ink cross them; and the background is a hatched pattern of the same greys as the ink's edges.
/// No pixel pattern of a digit repeats from one picture to the next, so there is no template to match.
enum CaptchaImage {
    static let width = 200
    static let height = 70

    /// The digits as pen strokes in a unit box (x from the left, y from the top, both 0…1): the shapes of
    /// handwritten digits, not of a font, so a font's glyphs are no template either.
    static let strokes: [[[Point]]] = [
        [arc(0.5, 0.5, 0.42, 0.5, from: 0, to: 360)],
        [[Point(0.3, 0.2), Point(0.55, 0.0), Point(0.55, 1.0)], [Point(0.3, 1.0), Point(0.8, 1.0)]],
        [arc(0.5, 0.3, 0.4, 0.3, from: 180, to: 400) + [Point(0.05, 1.0), Point(0.95, 1.0)]],
        [arc(0.5, 0.27, 0.38, 0.27, from: 200, to: 450), arc(0.5, 0.75, 0.42, 0.25, from: 270, to: 520)],
        [[Point(0.72, 1.0), Point(0.72, 0.0), Point(0.05, 0.68), Point(0.95, 0.68)]],
        [[Point(0.88, 0.0), Point(0.2, 0.0), Point(0.16, 0.46)] + arc(0.5, 0.67, 0.4, 0.33, from: 220, to: 510)],
        [arc(0.62, 0.62, 0.52, 0.62, from: 255, to: 180), arc(0.5, 0.7, 0.4, 0.3, from: 0, to: 360)],
        [[Point(0.08, 0.0), Point(0.92, 0.0), Point(0.38, 1.0)]],
        [arc(0.5, 0.25, 0.32, 0.25, from: 0, to: 360), arc(0.5, 0.73, 0.4, 0.27, from: 0, to: 360)],
        [arc(0.5, 0.32, 0.4, 0.32, from: 0, to: 360), arc(0.38, 0.38, 0.52, 0.62, from: 0, to: 75)],
    ]

    struct Point {
        var x: Double
        var y: Double
        init(_ x: Double, _ y: Double) {
            self.x = x
            self.y = y
        }
    }

    static func png(for digits: String) -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return png(for: digits, using: &generator)
    }

    /// The picture from a given source of randomness (tests pass a seeded one).
    static func png(for digits: String, using generator: inout some RandomNumberGenerator) -> [UInt8] {
        PNGEncoder.grayscale(width: width, height: height, pixels: pixels(for: digits, using: &generator))
    }

    /// Grayscale pixels, row by row, 0 black … 255 white.
    static func pixels(for digits: String, using generator: inout some RandomNumberGenerator) -> [UInt8] {
        var canvas = Canvas(background: background(using: &generator))
        // One wave bends every stroke (digits and arcs alike), so the arcs cannot be told apart by straightness.
        let amplitude = Double.random(in: 3...5, using: &generator)
        let wavelength = Double.random(in: 50...85, using: &generator)
        let phase = Double.random(in: 0...(2 * .pi), using: &generator)
        func bend(_ point: Point) -> Point {
            Point(point.x + 1.5 * sin(point.y / 9 + phase), point.y + amplitude * sin(2 * .pi * point.x / wavelength + phase))
        }

        let values = digits.compactMap(\.wholeNumberValue)
        // Narrower steps than the digits are wide, so neighbours touch or overlap.
        let step = Double.random(in: 31...34, using: &generator)
        var centerX = (Double(width) - step * Double(max(values.count - 1, 0))) / 2 + Double.random(in: -4...4, using: &generator)
        for digit in values {
            let glyphHeight = 44 * Double.random(in: 0.88...1.12, using: &generator)
            let glyphWidth = glyphHeight * Double.random(in: 0.52...0.7, using: &generator)
            let angle = Double.random(in: -0.4...0.4, using: &generator)
            let shear = Double.random(in: -0.4...0.4, using: &generator)
            let center = Point(centerX + Double.random(in: -2...2, using: &generator),
                               Double(height) / 2 + Double.random(in: -5...5, using: &generator))
            let pen = Double.random(in: 1.6...2.6, using: &generator)
            let penWave = Double.random(in: 0...(2 * .pi), using: &generator)
            let ink = UInt8.random(in: 15...75, using: &generator)
            // A hand never draws the same digit twice: a smooth warp of its own bends each digit's shape.
            let warp = (Double.random(in: 0.03...0.06, using: &generator), Double.random(in: 3...6, using: &generator),
                        Double.random(in: 0...(2 * .pi), using: &generator), Double.random(in: 3...6, using: &generator))
            for stroke in strokes[digit] {
                let drawn = densified(stroke, spacing: 0.05).map {
                    Point($0.x + warp.0 * sin(warp.1 * $0.y + warp.2), $0.y + warp.0 * sin(warp.3 * $0.x + warp.2))
                }
                let placed = densified(drawn.map { unit -> Point in
                    // Unit box → centred glyph box → shear → rotation → position.
                    var x = (unit.x - 0.5) * glyphWidth
                    let y = (unit.y - 0.5) * glyphHeight
                    x += shear * y
                    return Point(center.x + x * cos(angle) - y * sin(angle), center.y + x * sin(angle) + y * cos(angle))
                }).map(bend)
                for (index, (from, to)) in zip(placed, placed.dropFirst()).enumerated() {
                    // The pen presses harder and lighter along the stroke.
                    let radius = pen * (0.75 + 0.45 * sin(Double(index) / 3 + penWave))
                    canvas.line(from, to, radius: radius, ink: ink)
                }
            }
            centerX += step
        }

        // Arcs across the digits, in the digits' ink and about their pen width.
        for _ in 0..<3 {
            let startY = Double.random(in: 12...Double(height - 12), using: &generator)
            let endY = Double.random(in: 12...Double(height - 12), using: &generator)
            let bow = Double.random(in: -22...22, using: &generator)
            let radius = Double.random(in: 0.8...1.3, using: &generator)
            let ink = UInt8.random(in: 35...100, using: &generator)
            let startX = Double.random(in: -10...40, using: &generator)
            let endX = Double.random(in: Double(width - 40)...Double(width + 10), using: &generator)
            let points = (0...40).map { step -> Point in
                let t = Double(step) / 40
                return bend(Point(startX + (endX - startX) * t, startY + (endY - startY) * t + bow * 4 * t * (1 - t)))
            }
            for (from, to) in zip(points, points.dropFirst()) { canvas.line(from, to, radius: radius, ink: ink) }
        }

        // Speckles, light and dark.
        for _ in 0..<300 {
            canvas.set(Int.random(in: 0..<width, using: &generator), Int.random(in: 0..<height, using: &generator),
                       UInt8.random(in: 60...235, using: &generator))
        }
        return canvas.pixels
    }

    /// The digits as plain as this renderer draws them: upright, evenly spaced, one pen width, white
    /// background, no arcs or wave. What someone who knows the renderer would cut templates from.
    static func plainPixels(for digits: String) -> [UInt8] {
        var canvas = Canvas(background: [UInt8](repeating: 255, count: width * height))
        let values = digits.compactMap(\.wholeNumberValue)
        let step = 36.0, glyphHeight = 42.0, glyphWidth = 42.0 * 0.63
        var centerX = (Double(width) - step * Double(max(values.count - 1, 0))) / 2
        for digit in values {
            for stroke in strokes[digit] {
                let placed = densified(stroke.map {
                    Point(centerX + ($0.x - 0.5) * glyphWidth, Double(height) / 2 + ($0.y - 0.5) * glyphHeight)
                })
                for (from, to) in zip(placed, placed.dropFirst()) { canvas.line(from, to, radius: 1.8, ink: 30) }
            }
            centerX += step
        }
        return canvas.pixels
    }

    /// A light hatched pattern with soft bands, whose lines are the grey of the ink's anti-aliased edges.
    private static func background(using generator: inout some RandomNumberGenerator) -> [UInt8] {
        var pixels = [UInt8](repeating: 0, count: width * height)
        let spacing = Double.random(in: 5...8, using: &generator)
        let slope = Double.random(in: -1.2...1.2, using: &generator)
        let bandPhase = Double.random(in: 0...(2 * .pi), using: &generator)
        for y in 0..<height {
            for x in 0..<width {
                let band = 236 + 14 * sin(Double(x) / 23 + Double(y) / 17 + bandPhase)
                let hatch = (Double(x) + slope * Double(y)).truncatingRemainder(dividingBy: spacing)
                let onLine = abs(hatch) < 1
                pixels[y * width + x] = UInt8(max(0, min(255, onLine ? band - 38 : band)))
            }
        }
        return pixels
    }

    /// Points no further than `spacing` apart (two pixels), so the waves bend long straight strokes too.
    private static func densified(_ points: [Point], spacing: Double = 2) -> [Point] {
        guard var previous = points.first else { return [] }
        var result = [previous]
        for point in points.dropFirst() {
            let pieces = max(1, Int((hypot(point.x - previous.x, point.y - previous.y) / spacing).rounded(.up)))
            for piece in 1...pieces {
                let t = Double(piece) / Double(pieces)
                result.append(Point(previous.x + (point.x - previous.x) * t, previous.y + (point.y - previous.y) * t))
            }
            previous = point
        }
        return result
    }

    /// An elliptical arc sampled every 10°, from `start` to `end` degrees (0° to the right, 90° down), either way round.
    private static func arc(_ cx: Double, _ cy: Double, _ rx: Double, _ ry: Double, from start: Double, to end: Double) -> [Point] {
        let count = max(2, Int(abs(end - start) / 10))
        return (0...count).map { index in
            let degrees = start + (end - start) * Double(index) / Double(count)
            let radians = degrees * .pi / 180
            return Point(cx + rx * cos(radians), cy + ry * sin(radians))
        }
    }

    /// Grayscale pixels with anti-aliased round-capped lines.
    private struct Canvas {
        var pixels: [UInt8]

        init(background: [UInt8]) {
            pixels = background
        }

        mutating func set(_ x: Int, _ y: Int, _ value: UInt8) {
            guard (0..<CaptchaImage.width).contains(x), (0..<CaptchaImage.height).contains(y) else { return }
            pixels[y * CaptchaImage.width + x] = value
        }

        /// Darkens towards `ink` by how much of each pixel the line of half-width `radius` covers.
        mutating func line(_ a: Point, _ b: Point, radius: Double, ink: UInt8) {
            let minX = max(0, Int((min(a.x, b.x) - radius - 1).rounded(.down)))
            let maxX = min(CaptchaImage.width - 1, Int((max(a.x, b.x) + radius + 1).rounded(.up)))
            let minY = max(0, Int((min(a.y, b.y) - radius - 1).rounded(.down)))
            let maxY = min(CaptchaImage.height - 1, Int((max(a.y, b.y) + radius + 1).rounded(.up)))
            guard minX <= maxX, minY <= maxY else { return }
            let dx = b.x - a.x, dy = b.y - a.y
            let lengthSquared = dx * dx + dy * dy
            for y in minY...maxY {
                for x in minX...maxX {
                    let px = Double(x) + 0.5 - a.x, py = Double(y) + 0.5 - a.y
                    let t = lengthSquared == 0 ? 0 : max(0, min(1, (px * dx + py * dy) / lengthSquared))
                    let distance = hypot(px - t * dx, py - t * dy)
                    let coverage = max(0, min(1, radius + 0.5 - distance))
                    guard coverage > 0 else { continue }
                    let index = y * CaptchaImage.width + x
                    let darker = Double(pixels[index]) * (1 - coverage) + Double(ink) * coverage
                    pixels[index] = UInt8(min(Double(pixels[index]), darker))
                }
            }
        }
    }
}
