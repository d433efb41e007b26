/// The seed's captcha picture, as it was before #12 item 9 (fixed 5×7 bitmaps at scale 4 or 5, a slant,
/// three straight lines, light speckles), kept here only as the baseline that shows the template matcher
/// of `CaptchaImageTests` is competent: it must read these every time.
enum SeedCaptchaImage {
    static let width = 160
    static let height = 56

    static let glyphs: [[String]] = [
        ["01110", "10001", "10011", "10101", "11001", "10001", "01110"],
        ["00100", "01100", "00100", "00100", "00100", "00100", "01110"],
        ["01110", "10001", "00001", "00010", "00100", "01000", "11111"],
        ["11110", "00001", "00001", "01110", "00001", "00001", "11110"],
        ["00010", "00110", "01010", "10010", "11111", "00010", "00010"],
        ["11111", "10000", "11110", "00001", "00001", "10001", "01110"],
        ["00110", "01000", "10000", "11110", "10001", "10001", "01110"],
        ["11111", "00001", "00010", "00100", "01000", "01000", "01000"],
        ["01110", "10001", "10001", "01110", "10001", "10001", "01110"],
        ["01110", "10001", "10001", "01111", "00001", "00010", "01100"],
    ]

    /// The seed's drawing, step for step, with the randomness passed in.
    static func pixels(for digits: String, using generator: inout some RandomNumberGenerator) -> [UInt8] {
        var pixels = [UInt8](repeating: 245, count: width * height)
        func plot(_ x: Int, _ y: Int, _ value: UInt8) {
            guard (0..<width).contains(x), (0..<height).contains(y) else { return }
            pixels[y * width + x] = value
        }
        for _ in 0..<350 {
            plot(Int.random(in: 0..<width, using: &generator), Int.random(in: 0..<height, using: &generator),
                 UInt8.random(in: 120...200, using: &generator))
        }
        for (index, character) in digits.enumerated() {
            guard let digit = character.wholeNumberValue else { continue }
            let scale = Int.random(in: 4...5, using: &generator)
            let originX = 8 + index * 30 + Int.random(in: -2...3, using: &generator)
            let originY = Int.random(in: 6...(height - 7 * scale - 4), using: &generator)
            let slant = Double.random(in: -0.25...0.25, using: &generator)
            for (row, bits) in glyphs[digit].enumerated() {
                for (column, bit) in bits.enumerated() where bit == "1" {
                    for dy in 0..<scale {
                        for dx in 0..<scale {
                            let y = originY + row * scale + dy
                            let x = originX + column * scale + dx + Int(slant * Double(y - height / 2))
                            plot(x, y, UInt8.random(in: 10...60, using: &generator))
                        }
                    }
                }
            }
        }
        for _ in 0..<3 {
            var y = Double.random(in: 8...Double(height - 8), using: &generator)
            let slope = Double.random(in: -0.3...0.3, using: &generator)
            for x in 0..<width {
                plot(x, Int(y), 90)
                y += slope
            }
        }
        return pixels
    }

    /// One digit as the seed drew it at scale 4, upright and clean: the matcher's template.
    static func plainPixels(for digit: Int) -> (width: Int, height: Int, pixels: [UInt8]) {
        let scale = 4
        var pixels = [UInt8](repeating: 255, count: 5 * scale * 7 * scale)
        for (row, bits) in glyphs[digit].enumerated() {
            for (column, bit) in bits.enumerated() where bit == "1" {
                for dy in 0..<scale {
                    for dx in 0..<scale { pixels[(row * scale + dy) * 5 * scale + column * scale + dx] = 30 }
                }
            }
        }
        return (5 * scale, 7 * scale, pixels)
    }
}
