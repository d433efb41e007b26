import Foundation

extension UUID {
    /// A version-4 (random) UUID from the system's random source, as `UUID()` makes, without its cost on
    /// Linux: Foundation's `UUID()` there opens, reads and closes `/dev/urandom` for every one. A group
    /// import makes about six per card (300,000 for 50,000 rows), which was seconds of system time
    /// (issue #13 item 6). `SystemRandomNumberGenerator` asks the kernel's `getrandom` for the bytes.
    static func random() -> UUID {
        var generator = SystemRandomNumberGenerator()
        var bytes = (generator.next() as UInt64, generator.next() as UInt64)
        return withUnsafeMutableBytes(of: &bytes) { raw in
            raw[6] = (raw[6] & 0x0F) | 0x40 // version 4
            raw[8] = (raw[8] & 0x3F) | 0x80 // the RFC 4122 variant
            return UUID(uuid: raw.load(as: uuid_t.self))
        }
    }
}
