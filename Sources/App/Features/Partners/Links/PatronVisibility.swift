import Fluent
import Foundation
import SQLKit

/// Who may see a patron: their own library, and libraries they linked to (not withdrawn) — the
/// opt-in boundary Evergreen draws between libraries. Desk staff, partner systems and SIP2 clients all
/// go through here.
enum PatronVisibility {
    static func isVisible(_ patron: Patron, toLibrary libraryID: UUID, on database: any Database) async throws -> Bool {
        try await isVisible(patronID: patron.requireID(), homeLibraryID: patron.$library.id, toLibrary: libraryID, on: database)
    }

    /// The same rule for a patron read as a row rather than a model (the partner lookup).
    static func isVisible(patronID: UUID, homeLibraryID: UUID, toLibrary libraryID: UUID, on database: any Database) async throws -> Bool {
        if homeLibraryID == libraryID { return true }
        let services = try await PartnerService.query(on: database).filter(\.$partnerLibrary.$id == libraryID).all()
        guard !services.isEmpty else { return false }
        let links = try await PartnerLink.query(on: database)
            .filter(\.$patron.$id == patronID).filter(\.$partnerService.$id ~~ services.compactMap(\.id))
            .filter(\.$status != .withdrawn).count()
        return links > 0
    }

    /// The same boundary as `isVisible`, as an SQL condition on the patrons row aliased `patron`, for lists
    /// that page and count in the database (the back office's patron search) instead of checking one by one:
    /// `condition(patron:library:)` with the library's id bound where it names the library.
    static func condition(toLibrary libraryID: UUID) -> SQLQueryString {
        let marker = "\u{1}"
        var query = SQLQueryString("")
        for (index, part) in condition(patron: "patron", library: marker).components(separatedBy: marker).enumerated() {
            if index > 0 { query.appendInterpolation(bind: libraryID) }
            query.appendLiteral(part)
        }
        return query
    }

    /// The same rule as one SQL condition, for a hot path that asks it in the statement that finds the
    /// patron (SIP2, `SIP2PatronLookup`): `patron` is the alias of the `patrons` row, `library` the
    /// library's id as an expression of that statement. Plain SQL text (no bound values), the same on
    /// SQLite and PostgreSQL, so it can also be prepared.
    static func condition(patron alias: String, library: String) -> String {
        """
        (\(alias).library_id = \(library) OR EXISTS (
            SELECT 1 FROM \(PartnerLink.schema) visibility_link
            JOIN \(PartnerService.schema) visibility_service ON visibility_service.id = visibility_link.partner_service_id
            WHERE visibility_link.patron_id = \(alias).id AND visibility_service.partner_library_id = \(library)
              AND visibility_link.status <> '\(PartnerLink.Status.withdrawn.rawValue)'))
        """
    }
}
