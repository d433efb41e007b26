import Fluent
import Foundation

extension ConsentDocumentsPage.Model {
    static func query(staff: StaffMember, locale: SiteLocale, now: Date, on database: any Database) async throws -> Self {
        let documents = try await ConsentDocument.query(on: database).sort(\.$code).sort(\.$version, .descending).all()
        let drafts = Set(try await ConsentDraft.query(on: database).all().map(\.code))
        let libraries = Set(try await Library.query(on: database).all().map(\.code))
        let rows = Dictionary(grouping: documents, by: \.code).sorted { $0.key < $1.key }.map { code, versions in
            let inForce = versions.first { $0.isInForce(at: now) } ?? versions[versions.count - 1]
            let upcoming = versions[0].version > inForce.version ? versions[0].version : nil
            return Row(code: code, title: inForce.title(in: locale), versions: versions.count, inForce: inForce.version,
                       upcoming: upcoming, hasUpcoming: upcoming != nil,
                       hasDraft: drafts.contains(code), mine: ConsentDocumentOwner(code: code, libraryCodes: libraries).admits(staff),
                       path: SiteURL.staffConsent(code: .value(code)).path)
        }
        return Self(rows: rows)
    }
}
