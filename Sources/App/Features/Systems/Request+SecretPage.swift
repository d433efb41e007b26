import Vapor

extension Request {
    /// A page that may show a secret once (a signing secret, a token, a password): rendered with
    /// `Cache-Control: no-store`, so neither the browser's history nor a proxy keeps a copy.
    func renderSecretPage(_ template: String, _ context: some Encodable, status: HTTPResponseStatus = .ok) async throws -> Response {
        let response = try await view.render(template, context).encodeResponse(status: status, for: self)
        response.headers.replaceOrAdd(name: .cacheControl, value: "no-store")
        return response
    }
}
