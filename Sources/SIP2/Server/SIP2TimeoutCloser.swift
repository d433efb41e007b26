import NIOCore

/// Closes a connection that has been idle for the idle timeout, or that has not logged in by its login
/// deadline. Sits after the frame decoder, so each `channelRead` is one complete, non-empty message;
/// what counts as activity is described at `SIP2ConnectionActivity`.
///
/// Idle: no message received and no answer written for `idleTimeout`, and no message being answered.
/// This cleans up half-open connections whose peer vanished without a FIN, and it never cuts a request
/// whose backend call (a slow password hash) outlasts the timeout: while one is in flight the check
/// looks again later, and from its answer on the count starts afresh.
///
/// Login: the deadline is fixed when the connection is accepted and nothing a client sends moves it.
/// When it passes while a message is being answered (it may be the 93), the serve task decides once it
/// has answered; see `SIP2Server.serve`.
final class SIP2TimeoutCloser: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    enum Reason: Sendable {
        case idle
        case notLoggedIn
    }

    private let idleTimeout: TimeAmount
    private let loginDeadline: NIODeadline
    private let activity: SIP2ConnectionActivity
    private let onClose: @Sendable (Reason) -> Void
    private var idleCheck: Scheduled<Void>?
    private var loginCheck: Scheduled<Void>?

    init(
        idleTimeout: TimeAmount, loginDeadline: NIODeadline, activity: SIP2ConnectionActivity,
        onClose: @escaping @Sendable (Reason) -> Void
    ) {
        self.idleTimeout = idleTimeout
        self.loginDeadline = loginDeadline
        self.activity = activity
        self.onClose = onClose
    }

    func handlerAdded(context: ChannelHandlerContext) {
        scheduleIdleCheck(context: context, at: activity.idleDeadline(timeout: idleTimeout) ?? .now() + idleTimeout)
        loginCheck = context.eventLoop.assumeIsolated().scheduleTask(deadline: loginDeadline) { [self] in
            loginDeadlinePassed(context: context)
        }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        cancelChecks()
    }

    func channelInactive(context: ChannelHandlerContext) {
        cancelChecks()
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        activity.received()
        context.fireChannelRead(data)
    }

    private func scheduleIdleCheck(context: ChannelHandlerContext, at deadline: NIODeadline) {
        idleCheck = context.eventLoop.assumeIsolated().scheduleTask(deadline: deadline) { [self] in
            checkIdle(context: context)
        }
    }

    private func checkIdle(context: ChannelHandlerContext) {
        guard context.channel.isActive else { return }
        guard let idleAt = activity.idleDeadline(timeout: idleTimeout) else {
            // A message is being answered: look again one timeout from now; its answer restarts the count.
            scheduleIdleCheck(context: context, at: .now() + idleTimeout)
            return
        }
        guard idleAt <= .now() else {
            scheduleIdleCheck(context: context, at: idleAt)
            return
        }
        close(context: context, reason: .idle)
    }

    private func loginDeadlinePassed(context: ChannelHandlerContext) {
        guard context.channel.isActive, !activity.isLoggedIn, !activity.hasMessagesInFlight else { return }
        close(context: context, reason: .notLoggedIn)
    }

    private func close(context: ChannelHandlerContext, reason: Reason) {
        cancelChecks()
        onClose(reason)
        context.close(promise: nil)
    }

    private func cancelChecks() {
        idleCheck?.cancel()
        loginCheck?.cancel()
        idleCheck = nil
        loginCheck = nil
    }
}
