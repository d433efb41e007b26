/// Builds the codeword sequence of a byte-mode QR symbol: the data bit stream, then each block's
/// Reed–Solomon codewords, interleaved as ISO/IEC 18004 §7.6 lays them out.
enum QRCodewords {
    /// Mode indicator 0100 (byte), character count, the bytes, terminator, then 0xEC 0x11 padding.
    static func data(_ bytes: [UInt8], version: QRVersion, level: QRCode.ErrorCorrection) -> [UInt8] {
        let capacity = version.dataCodewords(level)
        var stream = BitStream()
        stream.append(0b0100, bits: 4)
        stream.append(bytes.count, bits: version.characterCountBits)
        for byte in bytes {
            stream.append(Int(byte), bits: 8)
        }
        stream.append(0, bits: min(4, capacity * 8 - stream.count))
        stream.append(0, bits: (8 - stream.count % 8) % 8)
        var codewords = stream.bytes
        precondition(codewords.count <= capacity, "\(bytes.count) bytes do not fit version \(version.number)")
        var pad: UInt8 = 0xEC
        while codewords.count < capacity {
            codewords.append(pad)
            pad = pad == 0xEC ? 0x11 : 0xEC
        }
        return codewords
    }

    /// Splits `data` into blocks (the later ones one codeword longer), appends each block's error
    /// correction codewords and interleaves: data column by column, then error correction likewise.
    static func interleaved(_ data: [UInt8], version: QRVersion, level: QRCode.ErrorCorrection) -> [UInt8] {
        let blockCount = version.errorCorrectionBlocks(level)
        let correctionLength = version.errorCorrectionCodewordsPerBlock(level)
        let shortBlockCount = blockCount - version.totalCodewords % blockCount
        let shortDataLength = version.totalCodewords / blockCount - correctionLength
        let encoder = ReedSolomonEncoder(degree: correctionLength)

        var dataBlocks: [[UInt8]] = []
        var correctionBlocks: [[UInt8]] = []
        var start = 0
        for block in 0..<blockCount {
            let length = shortDataLength + (block < shortBlockCount ? 0 : 1)
            let blockData = Array(data[start..<(start + length)])
            dataBlocks.append(blockData)
            correctionBlocks.append(encoder.errorCorrection(for: blockData))
            start += length
        }
        precondition(start == data.count, "Data codewords do not match the block layout")

        var result: [UInt8] = []
        result.reserveCapacity(version.totalCodewords)
        for column in 0...shortDataLength {
            for block in dataBlocks where column < block.count {
                result.append(block[column])
            }
        }
        for column in 0..<correctionLength {
            for block in correctionBlocks {
                result.append(block[column])
            }
        }
        return result
    }
}

/// Bits appended most significant first, read back as whole bytes.
struct BitStream {
    private(set) var bytes: [UInt8] = []
    private(set) var count = 0

    mutating func append(_ value: Int, bits: Int) {
        for shift in stride(from: bits - 1, through: 0, by: -1) {
            if count % 8 == 0 { bytes.append(0) }
            if (value >> shift) & 1 == 1 {
                bytes[bytes.count - 1] |= 0x80 >> UInt8(count % 8)
            }
            count += 1
        }
    }
}
