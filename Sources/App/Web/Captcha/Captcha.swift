import Crypto
import Foundation
import Vapor

/// The 驗證碼 of the application form: five digits drawn into a PNG, valid five minutes, one try,
/// bound to the session (only a hash of the answer is kept there).
struct Captcha {
    static let sessionAnswerKey = "captcha_hash"
    static let sessionExpiryKey = "captcha_expires"
    static let lifetime: TimeInterval = 300

    enum Outcome: Equatable {
        case correct
        case wrong
        case expired
    }

    /// A new challenge for this session; the answer replaces any earlier one.
    static func issue(for request: Request) -> String {
        let answer = request.application.settings.captchaTestAnswer
            ?? String((0..<5).map { _ in Character(String(Int.random(in: 0...9))) })
        request.session.data[sessionAnswerKey] = hash(answer, request: request)
        request.session.data[sessionExpiryKey] = String(Int(request.now.timeIntervalSince1970 + lifetime))
        return answer
    }

    /// Checks and consumes the session's challenge: a second try needs a new image.
    static func verify(_ typed: String, for request: Request) -> Outcome {
        guard request.hasSession, let expected = request.session.data[sessionAnswerKey],
              let expiry = request.session.data[sessionExpiryKey].flatMap(Double.init)
        else { return .expired }
        request.session.data[sessionAnswerKey] = nil
        request.session.data[sessionExpiryKey] = nil
        guard request.now.timeIntervalSince1970 <= expiry else { return .expired }
        let normalized = typed.precomposedStringWithCompatibilityMapping.filter { !$0.isWhitespace }
        return CSRFMiddleware.constantTimeEqual(hash(normalized, request: request), expected) ? .correct : .wrong
    }

    private static func hash(_ answer: String, request: Request) -> String {
        // Keyed with the session's CSRF token, so a hash copied from one session is no use in another.
        let key = SymmetricKey(data: Data(request.csrfToken.utf8))
        return Data(HMAC<SHA256>.authenticationCode(for: Data(answer.utf8), using: key)).base64EncodedString()
    }
}

/// Draws digits as a grayscale PNG with jitter and noise, encoded without any image library.
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
        return PNG.grayscale(width: width, height: height, pixels: pixels)
    }
}

/// The smallest correct PNG writer: 8-bit grayscale, filter 0, zlib "stored" blocks.
enum PNG {
    static func grayscale(width: Int, height: Int, pixels: [UInt8]) -> [UInt8] {
        var raw: [UInt8] = []
        raw.reserveCapacity((width + 1) * height)
        for row in 0..<height {
            raw.append(0)
            raw.append(contentsOf: pixels[(row * width)..<((row + 1) * width)])
        }
        var zlib: [UInt8] = [0x78, 0x01]
        var offset = 0
        repeat {
            let length = min(65535, raw.count - offset)
            let final: UInt8 = offset + length == raw.count ? 1 : 0
            zlib.append(final)
            zlib += [UInt8(length & 0xFF), UInt8(length >> 8), UInt8(~length & 0xFF), UInt8((~length >> 8) & 0xFF)]
            zlib += raw[offset..<(offset + length)]
            offset += length
        } while offset < raw.count
        zlib += bigEndian(adler32(raw))

        var header: [UInt8] = bigEndian(UInt32(width)) + bigEndian(UInt32(height))
        header += [8, 0, 0, 0, 0]
        return [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
            + chunk("IHDR", header) + chunk("IDAT", zlib) + chunk("IEND", [])
    }

    private static func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
        let typeBytes = Array(type.utf8)
        return bigEndian(UInt32(data.count)) + typeBytes + data + bigEndian(crc32(typeBytes + data))
    }

    private static func bigEndian(_ value: UInt32) -> [UInt8] {
        [UInt8(value >> 24), UInt8((value >> 16) & 0xFF), UInt8((value >> 8) & 0xFF), UInt8(value & 0xFF)]
    }

    private static let crcTable: [UInt32] = (0..<256).map { n in
        var c = UInt32(n)
        for _ in 0..<8 { c = c & 1 == 1 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        return c
    }

    static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes { crc = crcTable[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8) }
        return crc ^ 0xFFFF_FFFF
    }

    static func adler32(_ bytes: [UInt8]) -> UInt32 {
        var a: UInt32 = 1, b: UInt32 = 0
        for byte in bytes {
            a = (a + UInt32(byte)) % 65521
            b = (b + a) % 65521
        }
        return (b << 16) | a
    }
}
