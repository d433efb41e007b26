import CardBarcode
import Crypto
import Foundation
import Vapor

/// Draws digits as a grayscale PNG with jitter and noise, encoded by CardBarcode's PNG writer.
enum CaptchaImage {
    static let width = 160
    static let height = 56

    /// 5×7 bitmaps of the digits 0–9, one row per string.
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

    static func png(for digits: String) -> [UInt8] {
        var pixels = [UInt8](repeating: 245, count: width * height)
        func plot(_ x: Int, _ y: Int, _ value: UInt8) {
            guard (0..<width).contains(x), (0..<height).contains(y) else { return }
            pixels[y * width + x] = value
        }
        for _ in 0..<350 { plot(Int.random(in: 0..<width), Int.random(in: 0..<height), UInt8.random(in: 120...200)) }
        for (index, character) in digits.enumerated() {
            guard let digit = character.wholeNumberValue else { continue }
            let scale = Int.random(in: 4...5)
            let originX = 8 + index * 30 + Int.random(in: -2...3)
            let originY = Int.random(in: 6...(height - 7 * scale - 4))
            let slant = Double.random(in: -0.25...0.25)
            for (row, bits) in glyphs[digit].enumerated() {
                for (column, bit) in bits.enumerated() where bit == "1" {
                    for dy in 0..<scale {
                        for dx in 0..<scale {
                            let y = originY + row * scale + dy
                            let x = originX + column * scale + dx + Int(slant * Double(y - height / 2))
                            plot(x, y, UInt8.random(in: 10...60))
                        }
                    }
                }
            }
        }
        for _ in 0..<3 {
            var y = Double.random(in: 8...Double(height - 8))
            let slope = Double.random(in: -0.3...0.3)
            for x in 0..<width {
                plot(x, Int(y), 90)
                y += slope
            }
        }
        return PNGEncoder.grayscale(width: width, height: height, pixels: pixels)
    }
}
