import Vapor

/// Refuses a body the route will not take before reading it. A `Content-Length` over the route's limit
/// is answered 413 from the head alone; a streamed body is cut off by the route's collection as soon as
/// it crosses the limit, and that refusal is given the same localized answer naming the limit. A route's
/// `BodyGate` is asked here too, before anything is read. Whatever the client still sends after the answer
/// is discarded as it arrives (Vapor drains it), never kept.
///
/// A path without a route, or a route without a declared limit (GET), gets `BodyLimit.form`.
struct BodyLimitMiddleware: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let limit = request.route?.bodyLimit ?? .form
        if let declared = request.headers.first(name: .contentLength).flatMap(Int.init), declared > limit.bytes {
            request.logger.info("body refused before reading", metadata: [
                "path": .string(request.url.path), "contentLength": "\(declared)", "limit": "\(limit.bytes)",
            ])
            throw RequestRefusal.bodyTooLarge(limit)
        }
        if let gate = request.route?.bodyGate, try await !gate.allows(request) {
            throw RequestRefusal.formNotExpected
        }
        do {
            return try await next.respond(to: request)
        } catch let error as any AbortError where error.status == .payloadTooLarge {
            throw RequestRefusal.bodyTooLarge(limit)
        }
    }
}
