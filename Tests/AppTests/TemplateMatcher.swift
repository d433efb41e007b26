/// A simple captcha solver of the kind #12 item 9 reports: binarize the picture, then for each of the five
/// column regions where the renderer puts a digit, slide every template (each digit as the renderer draws it
/// clean, at the scales and slants the renderer uses) over the region and take the digit whose best placement
/// overlaps the ink most (Dice coefficient). Bit rows keep it fast enough for a debug build.
struct TemplateMatcher {
    struct Template {
        let digit: Int
        let width: Int
        let height: Int
        /// One bit per pixel, bit x of row y set where the template has ink.
        let rows: [UInt64]
        let ink: Int
    }

    let templates: [Template]
    /// The x of each digit's centre as the renderer lays them out, and how far the centre may wander from it.
    let centers: [Int]
    let wander: Int
    var threshold: UInt8 = 128

    /// Templates cut from clean renderings (`pixels` of `width`×`height`, one digit each), scaled and slanted.
    static func templates(digit: Int, width: Int, height: Int, pixels: [UInt8], scales: [Double], shears: [Double]) -> [Template] {
        let inked: [(x: Int, y: Int)] = (0..<height).flatMap { y in
            (0..<width).filter { x in pixels[y * width + x] < 128 }.map { x in (x: x, y: y) }
        }
        guard let minX = inked.map(\.x).min(), let maxX = inked.map(\.x).max(),
              let minY = inked.map(\.y).min(), let maxY = inked.map(\.y).max() else { return [] }
        let sourceWidth = maxX - minX + 1, sourceHeight = maxY - minY + 1
        func isInk(_ x: Int, _ y: Int) -> Bool {
            (0..<sourceWidth).contains(x) && (0..<sourceHeight).contains(y) && pixels[(y + minY) * width + x + minX] < 128
        }
        var result: [Template] = []
        for scale in scales {
            for shear in shears {
                let height = Int((Double(sourceHeight) * scale).rounded())
                let slantWidth = Int((abs(shear) * Double(height)).rounded(.up))
                let width = min(64, Int((Double(sourceWidth) * scale).rounded()) + slantWidth)
                var rows = [UInt64](repeating: 0, count: height)
                var ink = 0
                for y in 0..<height {
                    let offset = shear * (Double(y) - Double(height) / 2) + Double(slantWidth) / 2
                    for x in 0..<width {
                        let sourceX = Int(((Double(x) - offset) / scale).rounded(.down))
                        let sourceY = Int((Double(y) / scale).rounded(.down))
                        if isInk(sourceX, sourceY) {
                            rows[y] |= 1 << UInt64(x)
                            ink += 1
                        }
                    }
                }
                result.append(Template(digit: digit, width: width, height: height, rows: rows, ink: ink))
            }
        }
        return result
    }

    /// The digits read from a picture.
    func read(_ pixels: [UInt8], width: Int, height: Int) -> String {
        let words = (width + 63) / 64 + 1
        var bits = [UInt64](repeating: 0, count: height * words)
        // Ink counts of every rectangle from the origin, for the window's ink in constant time.
        var sums = [Int](repeating: 0, count: (height + 1) * (width + 1))
        for y in 0..<height {
            for x in 0..<width {
                let ink = pixels[y * width + x] < threshold
                if ink { bits[y * words + x / 64] |= 1 << UInt64(x % 64) }
                sums[(y + 1) * (width + 1) + x + 1] = sums[y * (width + 1) + x + 1] + sums[(y + 1) * (width + 1) + x]
                    - sums[y * (width + 1) + x] + (ink ? 1 : 0)
            }
        }
        func window(_ y: Int, _ x: Int, _ count: Int) -> UInt64 {
            let word = bits[y * words + x / 64], next = bits[y * words + x / 64 + 1]
            let shift = UInt64(x % 64)
            let value = shift == 0 ? word : (word >> shift) | (next << (64 - shift))
            return count == 64 ? value : value & ((1 << UInt64(count)) - 1)
        }
        var answer = ""
        for center in centers {
            var best = (score: -1.0, digit: 0)
            for template in templates {
                let lowX = max(0, center - wander - template.width / 2)
                let highX = min(width - template.width, center + wander - template.width / 2)
                guard lowX <= highX, height >= template.height else { continue }
                for top in 0...(height - template.height) {
                    for left in lowX...highX {
                        let inWindow = sums[(top + template.height) * (width + 1) + left + template.width]
                            - sums[top * (width + 1) + left + template.width]
                            - sums[(top + template.height) * (width + 1) + left] + sums[top * (width + 1) + left]
                        var both = 0
                        for row in 0..<template.height {
                            both += (template.rows[row] & window(top + row, left, template.width)).nonzeroBitCount
                        }
                        let score = 2 * Double(both) / Double(template.ink + inWindow)
                        if score > best.score { best = (score, template.digit) }
                    }
                }
            }
            answer += String(best.digit)
        }
        return answer
    }
}
