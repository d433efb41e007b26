import Vapor

/// One place that turns errors into responses: JSON under `/api`, a localized HTML page elsewhere.
/// Internal details never reach the visitor; they go to the log with the request id.
struct ErrorPageMiddleware: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        do {
            return try await next.respond(to: request)
        } catch {
            return await response(for: error, to: request)
        }
    }

    private func response(for error: any Error, to request: Request) async -> Response {
        let status: HTTPResponseStatus
        let code: String
        let message: String
        var headers = HTTPHeaders()
        switch error {
        case let error as any UserFacingError:
            status = HTTPErrorMapping.status(for: error)
            code = error.code
            message = request.t(error.messageKey, error.messageValues)
            headers = HTTPErrorMapping.headers(for: error)
        case let error as any AbortError:
            status = error.status
            code = Self.code(for: status)
            message = request.t("error.\(code)")
            headers = error.headers
        default:
            status = .internalServerError
            code = Self.code(for: status)
            message = request.t("error.\(code)")
        }
        if status.code >= 500 {
            request.logger.report(error: error)
        } else {
            request.logger.info("request failed", metadata: ["status": "\(status.code)", "code": .string(code)])
        }
        if request.url.path.hasPrefix("/api/") || request.url.path == "/api" {
            let response = Response(status: status, headers: headers)
            // Sorted keys: equal errors are byte-for-byte equal, so a refusal carries no accidental hint.
            try? response.content.encode(APIErrorDTO(code: code, message: message), using: JSONEncoder.sorted)
            return response
        }
        let page = ErrorPageContext(status: Int(status.code), title: request.t("error.title.\(Self.titleKey(for: status))"), message: message)
        do {
            // The staff side keeps its own layout (issue #14 item 1): a refused room shows the staff navigation, not the readers'.
            let template = request.url.path == SiteURL.staffHome.path || request.url.path.hasPrefix(SiteURL.staffHome.path + "/") ? "staff/error" : "error"
            let view = try await request.view.render(template, page)
            let response = try await view.encodeResponse(status: status, for: request)
            for (name, value) in headers where name.lowercased() != "content-type" {
                response.headers.replaceOrAdd(name: name, value: value)
            }
            return response
        } catch {
            request.logger.report(error: error)
            return Response(status: status, body: .init(string: message))
        }
    }

    static func code(for status: HTTPResponseStatus) -> String {
        switch status.code {
        case 400: "bad_request"
        case 401: "unauthorized"
        case 403: "forbidden"
        case 404: "not_found"
        case 405: "method_not_allowed"
        case 413: "payload_too_large"
        case 415: "unsupported_media_type"
        case 422: "unprocessable"
        case 429: "too_many_requests"
        case 503: "unavailable"
        default: status.code >= 500 ? "internal" : "bad_request"
        }
    }

    static func titleKey(for status: HTTPResponseStatus) -> String {
        switch status.code {
        case 401, 403: "forbidden"
        case 404: "not_found"
        case 400..<500: "bad_request"
        default: "internal"
        }
    }
}
