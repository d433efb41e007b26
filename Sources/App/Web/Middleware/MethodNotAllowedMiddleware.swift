import Vapor

/// A known path asked with a method it does not answer is 405 with `Allow`, not 404: the path exists.
/// Vapor's router only knows "no route"; this asks the routes for the same path under other methods.
struct MethodNotAllowedMiddleware: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        guard request.route == nil else { return try await next.respond(to: request) }
        let allowed = Self.methods(answering: request.url.path, in: request.application.routes.all)
        guard !allowed.isEmpty, !allowed.contains(where: { $0.rawValue == request.method.rawValue }) else { return try await next.respond(to: request) }
        throw RequestRefusal.methodNotAllowed(allowed: allowed)
    }

    /// The methods of every route whose path matches `path`, in a fixed order; GET brings HEAD with it,
    /// as Vapor answers HEAD from a GET route.
    static func methods(answering path: String, in routes: [Route]) -> [HTTPMethod] {
        let segments = path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        var names = Set(routes.filter { matches($0.path, segments) }.map(\.method.rawValue))
        if names.contains(HTTPMethod.GET.rawValue) { names.insert(HTTPMethod.HEAD.rawValue) }
        let order: [HTTPMethod] = [.GET, .HEAD, .POST, .PUT, .PATCH, .DELETE, .OPTIONS]
        let known = order.filter { names.contains($0.rawValue) }
        let others = names.subtracting(order.map(\.rawValue)).sorted().map { HTTPMethod(rawValue: $0) }
        return known + others
    }

    private static func matches(_ components: [PathComponent], _ segments: [String]) -> Bool {
        var index = 0
        for component in components {
            switch component {
            case .catchall:
                return index < segments.count
            case .anything, .parameter:
                guard index < segments.count else { return false }
            case .constant(let value):
                guard index < segments.count, segments[index] == value else { return false }
            }
            index += 1
        }
        return index == segments.count
    }
}
