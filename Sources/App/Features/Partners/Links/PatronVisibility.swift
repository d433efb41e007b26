import Fluent
import Foundation

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
}
