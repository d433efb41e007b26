/// A small inflater (RFC 1950 zlib around RFC 1951 deflate), after Mark Adler's puff.c, for reading the
/// object streams of a PDF. It stops at `limit` output bytes, so a deflate bomb costs nothing.
struct Inflater {
    enum Failure: Error, Equatable {
        case badHeader
        case truncated
        case invalid(String)
        case outputLimit
    }

    private let input: ArraySlice<UInt8>
    private var position: Int
    private var bitBuffer = 0
    private var bitCount = 0
    private var output: [UInt8] = []
    private let limit: Int

    private init(_ input: ArraySlice<UInt8>, limit: Int) {
        self.input = input
        self.position = input.startIndex
        self.limit = limit
    }

    /// Inflates zlib-wrapped data (what PDF's FlateDecode holds). The Adler-32 trailer is not checked, as PDF
    /// readers do not check it either.
    static func zlibDecompress(_ data: ArraySlice<UInt8>, limit: Int) throws(Failure) -> [UInt8] {
        guard data.count >= 2 else { throw .truncated }
        let cmf = Int(data[data.startIndex])
        let flags = Int(data[data.startIndex + 1])
        guard cmf & 0x0F == 8, cmf >> 4 <= 7, (cmf << 8 | flags) % 31 == 0, flags & 0x20 == 0 else {
            throw .badHeader
        }
        return try inflate(data.dropFirst(2), limit: limit)
    }

    /// Inflates raw deflate data.
    static func inflate(_ data: ArraySlice<UInt8>, limit: Int) throws(Failure) -> [UInt8] {
        var inflater = Inflater(data, limit: limit)
        var last = false
        while !last {
            last = try inflater.bits(1) == 1
            switch try inflater.bits(2) {
            case 0: try inflater.stored()
            case 1: try inflater.codes(Inflater.fixedLengths, Inflater.fixedDistances)
            case 2: try inflater.dynamic()
            default: throw .invalid("block type 3")
            }
        }
        return inflater.output
    }

    private mutating func bits(_ need: Int) throws(Failure) -> Int {
        var value = bitBuffer
        while bitCount < need {
            guard position < input.endIndex else { throw .truncated }
            value |= Int(input[position]) << bitCount
            position += 1
            bitCount += 8
        }
        bitBuffer = value >> need
        bitCount -= need
        return value & ((1 << need) - 1)
    }

    private mutating func append(_ byte: UInt8) throws(Failure) {
        guard output.count < limit else { throw .outputLimit }
        output.append(byte)
    }

    private mutating func stored() throws(Failure) {
        bitBuffer = 0
        bitCount = 0
        guard position + 4 <= input.endIndex else { throw .truncated }
        let length = Int(input[position]) | Int(input[position + 1]) << 8
        let complement = Int(input[position + 2]) | Int(input[position + 3]) << 8
        guard length == ~complement & 0xFFFF else { throw .invalid("stored block length") }
        position += 4
        guard position + length <= input.endIndex else { throw .truncated }
        guard output.count + length <= limit else { throw .outputLimit }
        output.append(contentsOf: input[position..<position + length])
        position += length
    }

    /// A canonical Huffman code as counts of codes per length and symbols ordered by code.
    struct Huffman {
        var counts = [Int](repeating: 0, count: 16)
        var symbols: [Int]

        /// Builds the code; `left` is 0 for a complete code, above 0 for an incomplete one, below 0 when over-subscribed.
        init(lengths: [Int]) {
            symbols = [Int](repeating: 0, count: lengths.count)
            for length in lengths { counts[length] += 1 }
            var offsets = [Int](repeating: 0, count: 16)
            for length in 1..<15 { offsets[length + 1] = offsets[length] + counts[length] }
            for (symbol, length) in lengths.enumerated() where length != 0 {
                symbols[offsets[length]] = symbol
                offsets[length] += 1
            }
        }

        var left: Int {
            if counts[0] == symbols.count { return 0 }
            var left = 1
            for length in 1..<16 {
                left <<= 1
                left -= counts[length]
                if left < 0 { return left }
            }
            return left
        }
    }

    private mutating func decode(_ code: Huffman) throws(Failure) -> Int {
        var value = 0
        var first = 0
        var index = 0
        for length in 1..<16 {
            value |= try bits(1)
            let count = code.counts[length]
            if value - count < first { return code.symbols[index + (value - first)] }
            index += count
            first += count
            first <<= 1
            value <<= 1
        }
        throw .invalid("a code that is not in the table")
    }

    private static let lengthBase = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258]
    private static let lengthExtra = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0]
    private static let distanceBase = [1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577]
    private static let distanceExtra = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13]

    private static let fixedLengths = Huffman(
        lengths: [Int](repeating: 8, count: 144) + [Int](repeating: 9, count: 112) + [Int](repeating: 7, count: 24)
            + [Int](repeating: 8, count: 8)
    )
    private static let fixedDistances = Huffman(lengths: [Int](repeating: 5, count: 30))

    private mutating func codes(_ lengths: Huffman, _ distances: Huffman) throws(Failure) {
        while true {
            let symbol = try decode(lengths)
            if symbol < 256 {
                try append(UInt8(symbol))
            } else if symbol == 256 {
                return
            } else {
                let index = symbol - 257
                guard index < 29 else { throw .invalid("a length symbol above 285") }
                let length = Inflater.lengthBase[index] + (try bits(Inflater.lengthExtra[index]))
                let distanceSymbol = try decode(distances)
                guard distanceSymbol < 30 else { throw .invalid("a distance symbol above 29") }
                let distance = Inflater.distanceBase[distanceSymbol] + (try bits(Inflater.distanceExtra[distanceSymbol]))
                guard distance <= output.count else { throw .invalid("a distance back before the start") }
                guard output.count + length <= limit else { throw .outputLimit }
                for _ in 0..<length { output.append(output[output.count - distance]) }
            }
        }
    }

    private mutating func dynamic() throws(Failure) {
        let lengthCount = try bits(5) + 257
        let distanceCount = try bits(5) + 1
        let codeCount = try bits(4) + 4
        guard lengthCount <= 286, distanceCount <= 30 else { throw .invalid("too many length or distance codes") }
        let order = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15]
        var codeLengths = [Int](repeating: 0, count: 19)
        for index in 0..<codeCount { codeLengths[order[index]] = try bits(3) }
        let codeLengthCode = Huffman(lengths: codeLengths)
        guard codeLengthCode.left == 0 else { throw .invalid("an incomplete code-length code") }

        var lengths: [Int] = []
        lengths.reserveCapacity(lengthCount + distanceCount)
        while lengths.count < lengthCount + distanceCount {
            let symbol = try decode(codeLengthCode)
            if symbol < 16 {
                lengths.append(symbol)
                continue
            }
            var repeated = 0
            var times: Int
            switch symbol {
            case 16:
                guard let previous = lengths.last else { throw .invalid("a repeat with no previous length") }
                repeated = previous
                times = 3 + (try bits(2))
            case 17:
                times = 3 + (try bits(3))
            default:
                times = 11 + (try bits(7))
            }
            guard lengths.count + times <= lengthCount + distanceCount else { throw .invalid("too many code lengths") }
            lengths.append(contentsOf: [Int](repeating: repeated, count: times))
        }
        guard lengths[256] != 0 else { throw .invalid("no end-of-block code") }

        let literalLengths = Array(lengths[0..<lengthCount])
        let lengthCode = Huffman(lengths: literalLengths)
        let lengthLeft = lengthCode.left
        guard lengthLeft >= 0, lengthLeft == 0 || lengthCount == lengthCode.counts[0] + lengthCode.counts[1] else {
            throw .invalid("an incomplete literal/length code")
        }
        let distanceLengths = Array(lengths[lengthCount...])
        let distanceCode = Huffman(lengths: distanceLengths)
        let distanceLeft = distanceCode.left
        guard distanceLeft >= 0, distanceLeft == 0 || distanceCount == distanceCode.counts[0] + distanceCode.counts[1] else {
            throw .invalid("an incomplete distance code")
        }
        try codes(lengthCode, distanceCode)
    }
}
