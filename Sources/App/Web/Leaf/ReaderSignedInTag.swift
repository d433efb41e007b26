import Leaf
import LeafKit
import Vapor

/// Whether a reader is signed in on this session: the header then offers 我的主頁 instead of 登入.
/// Reads the session only (no database), so it is a display hint, never an access check.
struct ReaderSignedInTag: LeafTag {
    func render(_ ctx: LeafContext) throws -> LeafData {
        guard let request = ctx.request, request.hasSession else { return .bool(false) }
        return .bool(request.session.data[ReaderSessionController.sessionKey] != nil)
    }
}
