import Fluent
import Foundation
import OneCardDomain

extension GroupApplicationPage.Model {
    /// The application `record` with its files, contact changes and batches. The contact person's details
    /// are personal data: each look is on the trail, recorded here by `staff`.
    static func query(_ record: GroupApplicationRecord, by staff: StaffMember, ipAddress: String?, at now: Date,
                      on database: any Database) async throws -> Self {
        let id = try record.requireID()
        let today = CalendarDay(date: now, timeZone: .taipei)
        let documents = try await GroupDocument.query(on: database).filter(\.$application.$id == id).sort(\.$kind).all()
        let changes = try await GroupContactChange.query(on: database).filter(\.$application.$id == id).sort(\.$changedAt, .descending).all()
        let staffEmails = try await StaffMember.query(on: database).filter(\.$id ~~ Set(changes.map(\.changedBy))).all()
            .reduce(into: [UUID: String]()) { $0[$1.id!] = $1.email }
        let batches = try await GroupBatch.query(on: database).filter(\.$application.$id == id).sort(\.$receivedAt, .descending).all()
        try await AuditTrail.record("group_application.viewed", by: .staff(staff.requireID(), ipAddress: ipAddress),
                                    subject: ("group_application", id.uuidString), libraryID: record.$library.id, at: now, on: database)
        let due = CalendarDay(iso: record.dueOn) ?? today
        return Self(
            id: id.uuidString, reference: record.reference, statusKey: "group.application.status.\(record.status.rawValue)",
            awaitsDecision: record.status == .submitted, organization: record.organizationName,
            kindKey: "group.kind.\(record.organizationKind.rawValue)", contactName: record.contactName, contactTitle: record.contactTitle,
            contactPhone: record.contactPhone, contactEmail: record.contactEmail, letterNumber: record.letterNumber,
            letterDate: record.letterDate, submitted: DisplayTime.minute(record.submittedAt), due: record.dueOn,
            overdue: record.status == .submitted && GroupBatchSchedule.isOverdue(due: due, today: today),
            decided: record.decidedAt.map(DisplayTime.minute), rejectionReason: record.rejectionReason,
            documents: documents.map {
                .init(kindKey: "group.field.\($0.kind == .applicationForm ? "applicationForm" : "consentStatement")",
                      mediaType: $0.fileExtension.uppercased(), size: ByteCountFormatter.string(fromByteCount: Int64($0.byteCount), countStyle: .file),
                      path: SiteURL.staffGroupDocument(id: .value($0.id!)).path)
            },
            contactChanges: changes.map {
                .init(changedAt: DisplayTime.minute($0.changedAt),
                      previous: "\($0.previousName)（\($0.previousTitle)）\($0.previousEmail) \($0.previousPhone)",
                      new: "\($0.newName)（\($0.newTitle)）\($0.newEmail) \($0.newPhone)", note: $0.note,
                      changedBy: staffEmails[$0.changedBy] ?? "—")
            },
            batches: batches.map { GroupBatchView.summary($0, today: today, contactView: false) },
            decisionPath: SiteURL.staffGroupApplicationDecision(id: .value(id)).path,
            contactPath: SiteURL.staffGroupApplicationContact(id: .value(id)).path)
    }
}
