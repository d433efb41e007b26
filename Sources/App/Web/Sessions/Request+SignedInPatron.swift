import Fluent
import Vapor

extension Request {
    /// The reader signed in on this session, with an active card.
    func signedInPatron() async throws -> Patron? {
        guard hasSession, let raw = session.data[ReaderSessionController.sessionKey], let id = UUID(uuidString: raw),
              let patron = try await Patron.query(on: db).filter(\.$id == id).with(\.$library).first(),
              patron.status == .active
        else { return nil }
        return patron
    }
}
