import Fluent
import Foundation

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
}
