import Fluent
import Foundation
import SQLKit

/// Who may see a patron: their own library, and libraries they linked to (not withdrawn) — the
/// opt-in boundary Evergreen draws between libraries. Desk staff, partner systems and SIP2 clients all
/// go through here.
enum PatronVisibility {
    static func isVisible(_ patron: Patron, toLibrary libraryID: UUID, on database: any Database) async throws -> Bool {
        if patron.$library.id == libraryID { return true }
        let services = try await PartnerService.query(on: database).filter(\.$partnerLibrary.$id == libraryID).all()
        guard !services.isEmpty else { return false }
        let links = try await PartnerLink.query(on: database)
            .filter(\.$patron.$id == patron.requireID()).filter(\.$partnerService.$id ~~ services.compactMap(\.id))
            .filter(\.$status != .withdrawn).count()
        return links > 0
    }

    /// The same boundary as `isVisible`, as an SQL condition on the patrons row aliased `patron`, for lists
    /// that page and count in the database (the back office's patron search) instead of checking one by one.
    static func condition(toLibrary libraryID: UUID) -> SQLQueryString {
        """
        (patron.library_id = \(bind: libraryID) OR EXISTS (
            SELECT 1 FROM partner_links link JOIN partner_services service ON service.id = link.partner_service_id
            WHERE link.patron_id = patron.id AND service.partner_library_id = \(bind: libraryID) AND link.status <> 'withdrawn'))
        """
    }
}
