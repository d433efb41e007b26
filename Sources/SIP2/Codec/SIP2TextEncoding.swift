#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#else
import Foundation
#endif

/// How the text of a SIP2 connection is turned into bytes: chosen per SIP2 account, because vendors
/// differ. The protocol itself is byte-oriented; only command codes, field codes and fixed fields
/// are guaranteed ASCII.
public enum SIP2TextEncoding: String, Sendable, Hashable, CaseIterable, Codable {
    /// UTF-8, the default for new accounts.
    case utf8
    /// ISO-8859-1: one byte per character, for legacy Western clients.
    case latin1
    /// Microsoft code page 950 (Big5 with Microsoft's extensions), for legacy Taiwanese clients.
    case cp950

    /// Decodes received bytes. Never fails: invalid sequences become U+FFFD.
    public func decode<Bytes: Collection>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        switch self {
        case .utf8:
            return String(decoding: bytes, as: UTF8.self)
        case .latin1:
            return String(String.UnicodeScalarView(bytes.map { Unicode.Scalar($0) }))
        case .cp950:
            if bytes.allSatisfy({ $0 < 0x80 }) { return String(decoding: bytes, as: UTF8.self) }
            return CP950.decode(Array(bytes))
        }
    }

    /// Encodes text to send. Never fails: characters the encoding lacks become `?`.
    public func encode(_ string: String) -> [UInt8] {
        switch self {
        case .utf8:
            return Array(string.utf8)
        case .latin1:
            return string.unicodeScalars.map { $0.value < 0x100 ? UInt8($0.value) : UInt8(ascii: "?") }
        case .cp950:
            if string.utf8.allSatisfy({ $0 < 0x80 }) { return Array(string.utf8) }
            return CP950.encode(string)
        }
    }
}

#if canImport(Glibc) || canImport(Musl)
/// CP950 through the C library's iconv (glibc ships the CP950 converter).
enum CP950 {
    private static let replacementCharacter: [UInt8] = [0xEF, 0xBF, 0xBD]

    static func decode(_ bytes: [UInt8]) -> String {
        let utf8 = convert(bytes, from: "CP950", to: "UTF-8") { output, remaining in
            output += replacementCharacter
            return remaining.isEmpty ? 0 : 1
        }
        guard let utf8 else { return String(decoding: bytes, as: UTF8.self) }
        return String(decoding: utf8, as: UTF8.self)
    }

    static func encode(_ string: String) -> [UInt8] {
        let bytes = Array(string.utf8)
        let encoded = convert(bytes, from: "UTF-8", to: "CP950") { output, remaining in
            output.append(UInt8(ascii: "?"))
            // Skip the whole UTF-8 sequence of the character CP950 lacks.
            guard let lead = remaining.first else { return 0 }
            let length = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1
            return min(length, remaining.count)
        }
        return encoded ?? bytes.map { $0 < 0x80 ? $0 : UInt8(ascii: "?") }
    }

    /// Runs iconv over `input`; `onInvalid` appends a substitute for the bad sequence at the start of
    /// the remaining input and says how many bytes to skip. Nil when the converter is unavailable.
    private static func convert(
        _ input: [UInt8], from source: String, to target: String,
        onInvalid: (inout [UInt8], ArraySlice<UInt8>) -> Int
    ) -> [UInt8]? {
        let descriptor = iconv_open(target, source)
        guard let descriptor, descriptor != iconv_t(bitPattern: -1) else { return nil }
        defer { iconv_close(descriptor) }

        var output: [UInt8] = []
        output.reserveCapacity(input.count * 2)
        var chunk = [UInt8](repeating: 0, count: max(64, input.count * 2))
        var position = 0
        while position < input.count {
            var remainingInput = input[position...]
            let (consumed, produced, failure) = remainingInput.withUnsafeMutableBufferPointer { inBuffer in
                chunk.withUnsafeMutableBufferPointer { outBuffer in
                    var inPointer: UnsafeMutablePointer<CChar>? = UnsafeMutableRawPointer(inBuffer.baseAddress!)
                        .assumingMemoryBound(to: CChar.self)
                    var inLeft = inBuffer.count
                    var outPointer: UnsafeMutablePointer<CChar>? = UnsafeMutableRawPointer(outBuffer.baseAddress!)
                        .assumingMemoryBound(to: CChar.self)
                    var outLeft = outBuffer.count
                    let result = iconv(descriptor, &inPointer, &inLeft, &outPointer, &outLeft)
                    let failure: Int32? = result == -1 ? errno : nil
                    return (inBuffer.count - inLeft, outBuffer.count - outLeft, failure)
                }
            }
            output += chunk[0..<produced]
            position += consumed
            switch failure {
            case nil:
                continue
            case E2BIG:
                if consumed == 0 && produced == 0 { chunk = [UInt8](repeating: 0, count: chunk.count * 2) }
            default:  // EILSEQ or EINVAL: an invalid or truncated sequence
                let skip = onInvalid(&output, input[position...])
                if skip == 0 { return output }
                position += skip
            }
        }
        return output
    }
}
#else
/// CP950 through Foundation on platforms without glibc's iconv.
enum CP950 {
    // kCFStringEncodingDOSChineseTrad (0x0423) is code page 950.
    private static let encoding = String.Encoding(rawValue: CFStringConvertEncodingToNSStringEncoding(0x0423))

    static func decode(_ bytes: [UInt8]) -> String {
        String(data: Data(bytes), encoding: encoding) ?? String(decoding: bytes, as: UTF8.self)
    }

    static func encode(_ string: String) -> [UInt8] {
        if let data = string.data(using: encoding, allowLossyConversion: true) { return Array(data) }
        return string.utf8.map { $0 < 0x80 ? $0 : UInt8(ascii: "?") }
    }
}
#endif
