import NIOCore
import Vapor

/// Vapor's HTTP server, with the SIP2 listener started right after it on the same address (or on
/// `ONECARD_SIP2_HOST`). `serve --hostname`/`--bind` reach the HTTP server only when `serve` starts it,
/// after every lifecycle handler has booted, so this is the first moment the address is known; binding
/// SIP2 anywhere else would expose it on interfaces the operator did not choose.
struct SIP2BesideHTTPServer: Server {
    let application: Application
    let http: HTTPServer
    let sip2: SIP2Lifecycle

    var onShutdown: EventLoopFuture<Void> { http.onShutdown }

    func start(address: BindAddress?) async throws {
        try await http.start(address: address)
        do {
            try await sip2.start(application, httpAddress: http.localAddress)
        } catch {
            await http.shutdown()
            throw error
        }
    }

    func shutdown() async {
        await sip2.stop()
        await http.shutdown()
    }

    @available(*, noasync, message: "Use the async start() method instead.")
    func start(address: BindAddress?) throws {
        try http.start(address: address)
        let (application, sip2, httpAddress) = (application, sip2, http.localAddress)
        do {
            try application.eventLoopGroup.any().makeFutureWithTask {
                try await sip2.start(application, httpAddress: httpAddress)
            }.wait()
        } catch {
            http.shutdown()
            throw error
        }
    }

    @available(*, noasync, message: "Use the async shutdown() method instead.")
    func shutdown() {
        let sip2 = sip2
        try? application.eventLoopGroup.any().makeFutureWithTask { await sip2.stop() }.wait()
        http.shutdown()
    }
}
