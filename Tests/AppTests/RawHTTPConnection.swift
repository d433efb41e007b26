import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An HTTP/1.1 connection on a plain TCP socket to a running test server. Written here because these
/// tests must send a request's head and only part of its body, then read the answer while the rest is
/// still unsent; URLSession and AsyncHTTPClient send the whole body before they read. The socket calls
/// block, so they run on a Dispatch thread, never on the Swift concurrency pool the server's handlers use.
final class RawHTTPConnection: @unchecked Sendable {
    struct Response {
        let status: Int
        let headers: [(name: String, value: String)]
        let body: String

        func header(_ name: String) -> String? {
            headers.first { $0.name.lowercased() == name.lowercased() }?.value
        }
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    private let descriptor: Int32

    /// Connects to 127.0.0.1:`port`; a read waits at most `timeout` seconds for the server.
    init(port: Int, timeout: Int = 8) throws {
        #if canImport(Glibc)
        descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
        descriptor = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard descriptor >= 0 else { throw Failure(description: "socket: \(errno)") }
        var wait = timeval(tv_sec: timeout, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &wait, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(descriptor, SOL_SOCKET, SO_SNDTIMEO, &wait, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { close(descriptor); throw Failure(description: "connect: \(errno)") }
    }

    deinit { close(descriptor) }

    /// Sends every byte (or throws: the server may have closed the connection).
    func send(_ text: String) async throws { try await send(Array(text.utf8)) }

    func send(_ bytes: [UInt8]) async throws {
        try await Self.offPool { [self] in
            var offset = 0
            while offset < bytes.count {
                let sent = bytes[offset...].withUnsafeBytes { Glibc.send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                guard sent > 0 else { throw Failure(description: "send failed after \(offset) bytes: errno \(errno)") }
                offset += sent
            }
        }
    }

    /// Reads one response: the head, then a body of its `Content-Length` (or until the server closes).
    func readResponse() async throws -> Response {
        try await Self.offPool { [self] in
            var received: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 64 * 1024)
            func readMore() throws -> Bool {
                let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
                if count < 0 { throw Failure(description: "no answer within the timeout (errno \(errno)) after \(received.count) bytes") }
                received.append(contentsOf: buffer[..<count])
                return count > 0
            }
            let separator: [UInt8] = Array("\r\n\r\n".utf8)
            var headEnd: Int?
            while headEnd == nil {
                guard try readMore() else { throw Failure(description: "closed before a response head") }
                headEnd = Self.find(separator, in: received)
            }
            let head = String(decoding: received[..<headEnd!], as: UTF8.self).components(separatedBy: "\r\n")
            let status = Int(head[0].split(separator: " ")[1]) ?? 0
            let headers = head.dropFirst().compactMap { line -> (name: String, value: String)? in
                guard let colon = line.firstIndex(of: ":") else { return nil }
                return (String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
            }
            let bodyStart = headEnd! + separator.count
            let length = headers.first { $0.name.lowercased() == "content-length" }.flatMap { Int($0.value) }
            while received.count - bodyStart < (length ?? Int.max) {
                guard try readMore() else { break }
            }
            let end = length.map { min(bodyStart + $0, received.count) } ?? received.count
            return Response(status: status, headers: headers, body: String(decoding: received[bodyStart..<end], as: UTF8.self))
        }
    }

    private static func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        for start in 0...(haystack.count - needle.count) where haystack[start..<start + needle.count].elementsEqual(needle) {
            return start
        }
        return nil
    }

    private static func offPool<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(with: Result { try work() }) }
        }
    }
}
