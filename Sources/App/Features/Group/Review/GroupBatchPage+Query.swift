import Fluent
import Foundation
import OneCardDomain
import PersonalDataVault

extension GroupBatchPage.Model {
    /// The batch with page `requested` of its rows (ID numbers opened with `vault` and masked). Names,
    /// birth dates and masked ID numbers of the batch's people: each look is on the trail, recorded here by `staff`.
    static func query(_ batch: GroupBatch, by staff: StaffMember, page requested: Int?, vault: PersonalDataVault, locale: SiteLocale,
                      localizer: Localizer, ipAddress: String?, at now: Date, on database: any Database) async throws -> Self {
        let id = try batch.requireID()
        let today = CalendarDay(date: now, timeZone: .taipei)
        var summary = GroupBatchView.summary(batch, today: today, contactView: false)
        summary.queuePosition = try await GroupBatchView.queuePosition(batch, libraryID: staff.$library.id, on: database)
        let rowsPerPage = GroupReviewController.rowsPerPage
        let total = try await GroupBatchRow.query(on: database).filter(\.$batch.$id == id).count()
        let pagination = Pagination(total: total, pageSize: rowsPerPage, requested: requested)
        let rows = try await GroupBatchRow.query(on: database).filter(\.$batch.$id == id).sort(\.$rowNumber)
            .range(pagination.offset..<(pagination.offset + rowsPerPage)).all()
        let patrons = try await Patron.query(on: database).filter(\.$id ~~ rows.filter { $0.status == .imported }.map(\.patronID)).all()
            .reduce(into: [UUID: Patron]()) { $0[$1.id!] = $1 }
        func masked(_ sealed: String?) -> String {
            guard let sealed, let number = try? vault.open(sealed, context: CardApplicationService.idNumberContext),
                  case .success(let identity) = IdentityNumber.parse(number) else { return "—" }
            return identity.masked
        }
        try await AuditTrail.record("group_batch.viewed", by: .staff(staff.requireID(), ipAddress: ipAddress),
                                    subject: ("group_batch", id.uuidString), libraryID: staff.$library.id,
                                    details: ["page": String(pagination.page)], at: now, on: database)
        let path = SiteURL.staffGroupBatch(id: .value(id)).path
        return Self(
            organization: batch.application.organizationName,
            applicationPath: SiteURL.staffGroupApplication(id: .value(batch.application.id!)).path,
            batch: summary,
            leftOut: GroupBatchView.leftOut(batch.leftOut, locale: locale, localizer: localizer),
            rows: rows.map { row in
                let patron = patrons[row.patronID]
                // Once imported, the card holds the person's data (and an erased card shows nothing).
                return .init(row: row.rowNumber, name: patron?.name ?? row.name ?? "—",
                             maskedID: row.idNumberSealed != nil ? masked(row.idNumberSealed) : masked(patron?.idNumberSealed),
                             birthDate: patron?.birthDate ?? row.birthDate ?? "—", roleKey: "group.role.\(row.role)", unit: row.unit ?? "",
                             email: patron?.email ?? row.email ?? "",
                             statusKey: "group.row.status.\(row.status.rawValue)")
            },
            pages: pagination.links(path: path),
            awaitsDecision: batch.status.awaitsDecision,
            summaryPath: batch.status == .completed ? SiteURL.staffGroupBatchSummary(id: .value(id)).path : nil,
            decisionPath: SiteURL.staffGroupBatchDecision(id: .value(id)).path)
    }
}
