import Fluent
import Foundation

extension AccessLogPage {
    /// The reader's 個人資料查閱紀錄, newest first, paged. Each entry names the library that looked, never the
    /// person: a staff member's library, the partner library whose system asked, the library of the SIP2
    /// account. Staff are named in the libraries' own audit trail, which answers for them.
    struct Query {
        static let pageSize = 50

        let database: any Database
        let locale: SiteLocale

        func model(for patron: Patron, requestedPage: Int?) async throws -> Model {
            let id = try patron.requireID().uuidString
            let looks = {
                AuditEvent.query(on: database).filter(\.$subjectType == "patron").filter(\.$subjectID == id)
                    .filter(\.$action ~~ PersonalDataAccess.allCases.flatMap(\.actions))
            }
            let pagination = Pagination(total: try await looks().count(), pageSize: Self.pageSize, requested: requestedPage)
            let events = try await looks().sort(\.$occurredAt, .descending).sort(\.$id)
                .range(pagination.offset..<(pagination.offset + pagination.pageSize)).all()
            let libraries = try await Library.query(on: database).all().reduce(into: [UUID: String]()) { $0[$1.id!] = $1.name(in: locale) }
            let lookers = try await lookingLibraries(of: events)
            return Model(
                entries: events.compactMap { event in
                    guard let reason = PersonalDataAccess.byAction[event.action] else { return nil }
                    let library = lookers[event.id!] ?? event.libraryID
                    return .init(time: DisplayTime.minute(event.occurredAt, in: locale),
                                 library: library.flatMap { libraries[$0] } ?? "—", reasonKey: reason.messageKey)
                },
                pages: pagination.links(path: SiteURL.accountAccessLog.path))
        }

        /// The library behind each entry whose actor is a staff member or a SIP2 account (one query each);
        /// a partner lookup is already recorded against the partner library.
        private func lookingLibraries(of events: [AuditEvent]) async throws -> [UUID: UUID] {
            func ids(_ type: String) -> [UUID] { Array(Set(events.filter { $0.actorType == type }.compactMap { $0.actorID.flatMap(UUID.init(uuidString:)) })) }
            let staffIDs = ids("staff"), accountIDs = ids("sip2_account")
            let staff = staffIDs.isEmpty ? [:] : try await StaffMember.query(on: database).filter(\.$id ~~ staffIDs).all()
                .reduce(into: [UUID: UUID]()) { $0[$1.id!] = $1.$library.id }
            let accounts = accountIDs.isEmpty ? [:] : try await SIP2AccountRecord.query(on: database).filter(\.$id ~~ accountIDs).all()
                .reduce(into: [UUID: UUID]()) { $0[$1.id!] = $1.$library.id }
            return events.reduce(into: [UUID: UUID]()) { result, event in
                guard let actor = event.actorID.flatMap(UUID.init(uuidString:)) else { return }
                let library = event.actorType == "staff" ? staff[actor] : event.actorType == "sip2_account" ? accounts[actor] : nil
                if let library { result[event.id!] = library }
            }
        }
    }
}
