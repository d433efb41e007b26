import Fluent
import Foundation
import OneCardDomain

/// The statements of 網路辦證: those agreed to before the form (their exact versions are kept in the
/// session and recorded with the application), and each linkable partner's, shown on the form.
struct CardApplicationConsents {
    static let codes = ["TPML_PRIVACY", "TAIPEI_CITY_ID"]

    let database: any Database
    /// Which versions are in force.
    let now: Date

    /// The current versions of the statements shown before the form.
    func current() async throws -> [ConsentDocument] {
        var documents: [ConsentDocument] = []
        for code in Self.codes { documents.append(try await ConsentDocument.current(code, at: now, on: database)) }
        return documents
    }

    /// The versions agreed to, from the ids the session keeps; nil unless every statement is among them.
    func agreed(_ sessionValue: String?) async throws -> [ConsentDocument]? {
        guard let sessionValue else { return nil }
        let uuids = sessionValue.split(separator: ",").compactMap { UUID(uuidString: String($0)) }
        let documents = try await ConsentDocument.query(on: database).filter(\.$id ~~ uuids).all()
        return documents.count == Self.codes.count ? documents : nil
    }

    /// What the session keeps of the agreed versions.
    static func sessionValue(_ documents: [ConsentDocument]) throws -> String {
        try documents.map { try $0.requireID().uuidString }.joined(separator: ",")
    }

    /// Each linkable partner's current link statement, in the form's order: those the library still
    /// offers (an administrator may stop offering one, `LibraryAdministration.withdraw`).
    func partnerStatements(libraryCode: String) async throws -> [(code: String, document: ConsentDocument)] {
        let withdrawn = try await PartnerServiceWithdrawal.withdrawnIDs(on: database)
        let offered = Set(try await PartnerService.query(on: database)
            .join(Library.self, on: \PartnerService.$library.$id == \Library.$id).filter(Library.self, \.$code == libraryCode)
            .all().filter { !withdrawn.contains($0.id!) }.map(\.code))
        var statements: [(code: String, document: ConsentDocument)] = []
        for code in CardApplicationRules.linkablePartners where offered.contains(code) {
            statements.append((code, try await ConsentDocument.current("\(code)_LINK", at: now, on: database)))
        }
        return statements
    }
}
