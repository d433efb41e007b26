import Fluent
import Foundation
import OneCardDomain
import PersonalDataVault

extension DeskApplicationsPage {
    /// Finds cards and applications by ID number, application number or card number (the desk scans an
    /// active card to suspend, reinstate or extend it), among those the staff member's library may see.
    /// A search is audited with how many it found, since it looks at personal data.
    static func query(_ text: String, staff: StaffMember, ipAddress: String?, database: any Database,
                      vault: PersonalDataVault, now: Date) async throws -> DeskApplicationsPage {
        var found: [Patron] = []
        if !text.isEmpty {
            let normalized = IdentityNumber.normalize(text)
            let index = vault.blindIndex(normalized, context: CardApplicationService.idNumberContext)
            found = try await Patron.query(on: database).group(.or) {
                $0.filter(\.$idNumberIndex == index).filter(\.$applicationNumber == normalized).filter(\.$cardNumber == normalized)
            }.all()
            var visible: [Patron] = []
            for patron in found where try await DeskController.visible(patron, to: staff, on: database) { visible.append(patron) }
            found = visible
            try await AuditTrail.record("patron.searched", by: .staff(staff.id!, ipAddress: ipAddress),
                                        libraryID: staff.$library.id, details: ["results": String(found.count)], at: now, on: database)
        }
        let rows = try found.map { patron in
            let idNumber = try patron.idNumberSealed.map { try vault.open($0, context: CardApplicationService.idNumberContext) }
            return Row(
                id: try patron.requireID().uuidString, applicationNumber: patron.applicationNumber, name: patron.name,
                maskedID: idNumber.flatMap { try? IdentityNumber.parse($0).get().masked } ?? "—",
                statusKey: DeskController.statusKey(patron, now: now),
                appliedAt: DisplayTime.minute(patron.appliedAt),
                path: SiteURL.deskApplication(id: .value(try patron.requireID())).path)
        }
        return DeskApplicationsPage(query: text, searched: !text.isEmpty, rows: rows)
    }
}
