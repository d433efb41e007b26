/// Arithmetic in GF(256) with the QR code's field polynomial x⁸ + x⁴ + x³ + x² + 1 (0x11D), by log tables.
enum GaloisField {
    /// αⁱ for i in 0..<512, doubled so a sum of two logs needs no reduction.
    static let exponent: [UInt8] = {
        var table = [UInt8](repeating: 0, count: 512)
        var value = 1
        for power in 0..<255 {
            table[power] = UInt8(value)
            value <<= 1
            if value & 0x100 != 0 { value ^= 0x11D }
        }
        for power in 255..<512 {
            table[power] = table[power - 255]
        }
        return table
    }()

    /// log_α(x) for x in 1…255; index 0 is unused, as zero has no logarithm.
    static let logarithm: [Int] = {
        var table = [Int](repeating: 0, count: 256)
        for power in 0..<255 {
            table[Int(exponent[power])] = power
        }
        return table
    }()

    static func multiply(_ lhs: UInt8, _ rhs: UInt8) -> UInt8 {
        guard lhs != 0, rhs != 0 else { return 0 }
        return exponent[logarithm[Int(lhs)] + logarithm[Int(rhs)]]
    }
}

/// The Reed–Solomon code of one QR block: `degree` error correction codewords after the data.
struct ReedSolomonEncoder: Sendable {
    /// The generator polynomial (x − α⁰)(x − α¹)…(x − α^(degree−1)), highest power first, leading 1 included.
    let generator: [UInt8]

    init(degree: Int) {
        var polynomial: [UInt8] = [1]
        for root in 0..<degree {
            // Multiply by (x − αʳᵒᵒᵗ); in GF(2ⁿ) subtraction is addition, which is XOR.
            let rootValue = GaloisField.exponent[root]
            var product = polynomial + [0]
            for index in 1..<product.count {
                product[index] ^= GaloisField.multiply(polynomial[index - 1], rootValue)
            }
            polynomial = product
        }
        generator = polynomial
    }

    /// The remainder of data·x^degree divided by the generator: the block's error correction codewords.
    func errorCorrection(for data: [UInt8]) -> [UInt8] {
        let degree = generator.count - 1
        var remainder = [UInt8](repeating: 0, count: degree)
        for byte in data {
            let factor = byte ^ remainder[0]
            remainder.removeFirst()
            remainder.append(0)
            for index in 0..<degree {
                remainder[index] ^= GaloisField.multiply(generator[index + 1], factor)
            }
        }
        return remainder
    }
}
