import NIOCore

/// What the idle and login checks need to know about one connection: how many received messages are
/// still being answered, when it last did something that counts, and whether it is logged in. Shared
/// by the connection's serve task (which answers) and its `SIP2TimeoutCloser` (on the event loop).
///
/// Only complete, non-empty messages and answers count as activity. Empty frames (a lone CR or LF) are
/// dropped by the frame decoder before they get here, and the bytes of an unfinished message are not a
/// message yet: neither keeps a connection open, so a client cannot hold a slot by dripping line ends.
final class SIP2ConnectionActivity: Sendable {
    private struct State {
        var messagesInFlight = 0
        var lastActivity: NIODeadline
        var loggedIn = false
    }

    private let state: LockedState<State>

    init(acceptedAt: NIODeadline = .now()) {
        state = LockedState(State(lastActivity: acceptedAt))
    }

    /// A complete message arrived; it is in flight until `answered()`.
    func received(at time: NIODeadline = .now()) {
        state.withLock { state in
            state.messagesInFlight += 1
            state.lastActivity = time
        }
    }

    /// The serve task finished with one message (its answer, if any, is written).
    func answered(at time: NIODeadline = .now()) {
        state.withLock { state in
            state.messagesInFlight = max(0, state.messagesInFlight - 1)
            state.lastActivity = time
        }
    }

    /// When the connection is idle if nothing more happens: `timeout` after its last activity; nil while
    /// a message is being answered (a backend call may outlast the timeout).
    func idleDeadline(timeout: TimeAmount) -> NIODeadline? {
        state.withLock { $0.messagesInFlight == 0 ? $0.lastActivity + timeout : nil }
    }

    var hasMessagesInFlight: Bool { state.withLock { $0.messagesInFlight > 0 } }

    /// Set by the serve task after each message: a failed 93 logs a connection out again.
    var isLoggedIn: Bool {
        get { state.withLock { $0.loggedIn } }
        set { state.withLock { $0.loggedIn = newValue } }
    }
}
