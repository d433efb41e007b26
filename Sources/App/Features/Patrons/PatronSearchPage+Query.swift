import Fluent
import Foundation
import OneCardDomain
import PersonalDataVault
import SQLKit

extension PatronSearchPage {
    /// The database work of the patron search (issue #14 item 3): one box for a card number, an application
    /// number, an ID number (through its blind index), an EasyCard/iPASS number (through its blind index), a
    /// phone number, an email address or part of a name, among the patrons the staff member's library may see
    /// (`PatronVisibility.condition`). Counting and paging happen in SQL; only the page's rows are loaded.
    struct Query {
        static let pageSize = 20
        /// A name is searched by containment from two characters on: one character (王) would list a
        /// library's whole surname, which is browsing, not finding.
        static let shortestNamePart = 2

        private static let queryValueAllowed = CharacterSet.urlQueryAllowed.subtracting(CharacterSet(charactersIn: "&+=#"))

        let database: any Database
        let vault: PersonalDataVault
        let locale: SiteLocale
        let now: Date

        func page(_ text: String, requestedPage: Int?, staff: StaffMember, ipAddress: String?) async throws -> Model {
            guard !text.isEmpty, let sql = database as? any SQLDatabase else {
                return Model(query: text, searched: false, total: 0, rows: [], pages: [])
            }
            let condition = PatronVisibility.condition(toLibrary: staff.$library.id) + " AND " + matches(text)
            let total = try await sql.raw("SELECT COUNT(*) AS total FROM patrons patron WHERE \(condition)")
                .first()?.decode(column: "total", as: Int.self) ?? 0
            let pagination = Pagination(total: total, pageSize: Self.pageSize, requested: requestedPage)
            let ids = try await sql.raw("""
                SELECT patron.id FROM patrons patron WHERE \(condition)
                ORDER BY patron.name, patron.application_number LIMIT \(unsafeRaw: String(Self.pageSize)) OFFSET \(unsafeRaw: String(pagination.offset))
                """).all().map { try $0.decode(column: "id", as: UUID.self) }
            let patrons = try await Patron.query(on: database).filter(\.$id ~~ ids).with(\.$library).all()
                .sorted { ids.firstIndex(of: $0.id!)! < ids.firstIndex(of: $1.id!)! }
            // The list shows names and card numbers: a read of personal data, audited with how many matched
            // (never with what was typed, which may be an ID number).
            try await AuditTrail.record("patron.searched", by: .staff(staff.requireID(), ipAddress: ipAddress),
                                        libraryID: staff.$library.id,
                                        details: ["results": String(total), "page": String(pagination.page)], at: now, on: database)
            let base = SiteURL.staffPatrons.path + "?q=" + (text.addingPercentEncoding(withAllowedCharacters: Self.queryValueAllowed) ?? "")
            return Model(
                query: text, searched: true, total: total,
                rows: try patrons.map { patron in
                    Model.Row(name: patron.name, cardNumber: patron.cardNumber ?? "—", applicationNumber: patron.applicationNumber,
                        statusKey: DeskController.statusKey(patron, now: now), homeLibrary: patron.library.name(in: locale),
                        path: SiteURL.staffPatron(id: .value(try patron.requireID())).path)
                },
                pages: pagination.links(path: base))
        }

        /// What the typed text may be, each compared exactly except a name. Patrons whose data is gone
        /// (expired applications, erased readers) have nothing to find.
        private func matches(_ typed: String) -> SQLQueryString {
            let text = typed.precomposedStringWithCompatibilityMapping
            let normalized = IdentityNumber.normalize(text)
            var alternatives: [SQLQueryString] = [
                "patron.card_number = \(bind: normalized)",
                "patron.application_number = \(bind: normalized)",
                "patron.id_number_index = \(bind: vault.blindIndex(normalized, context: CardApplicationService.idNumberContext))",
            ]
            if let easyCard = CardActivationService.normalizeEasyCard(text) {
                alternatives.append("patron.easy_card_index = \(bind: vault.blindIndex(easyCard, context: CardActivationService.easyCardContext))")
            }
            let digits = text.filter(\.isASCII).filter(\.isNumber)
            if digits.count >= 8, digits.count == text.filter({ !" -()+".contains($0) }).count {
                alternatives.append("patron.mobile = \(bind: digits) OR patron.home_phone = \(bind: digits)")
            }
            if text.contains("@") {
                alternatives.append("patron.email = \(bind: text.lowercased())")
            }
            if text.count >= Self.shortestNamePart {
                let escaped = text.lowercased().replacingOccurrences(of: "!", with: "!!")
                    .replacingOccurrences(of: "%", with: "!%").replacingOccurrences(of: "_", with: "!_")
                alternatives.append("LOWER(patron.name) LIKE \(bind: "%" + escaped + "%") ESCAPE '!'")
            }
            return "patron.status IN ('pending', 'active') AND (" + alternatives.map { "(" + $0 + ")" }.joined(separator: " OR ") + ")"
        }
    }
}
