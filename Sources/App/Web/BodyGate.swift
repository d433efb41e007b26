import Vapor

/// What a route checks before its body is read: whether this session may send the form at all (an upload
/// needs a signed-in contact, say). It sees the head and the session, never the body. A session that may
/// not is refused like a form without its token (403, `RequestRefusal.formNotExpected`): a large body is
/// received only from someone entitled to send it.
struct BodyGate: Sendable {
    let allows: @Sendable (Request) async throws -> Bool

    init(allows: @escaping @Sendable (Request) async throws -> Bool) {
        self.allows = allows
    }

    /// Where a route keeps its gate (`Route.userInfo`).
    static let userInfoKey: AnySendableHashable = "onecard.bodyGate"
}

extension Route {
    var bodyGate: BodyGate? { userInfo[BodyGate.userInfoKey] as? BodyGate }
}
