import Fluent
import Foundation
import OneCardDomain
import PersonalDataVault
import ReaderDataFile

extension AuditTrailPage {
    /// The database work of the audit trail: narrowing it by a filter inside the library boundary (a library's
    /// administrator sees their library's entries; the consortium administrator every entry), one keyset page
    /// of it in words, and its download. Each look and each download is itself audited, with the filter.
    struct Query {
        static let pageSize = 50
        /// A download holds at most this many entries; more and the person is asked to narrow the filter.
        static let exportLimit = 50_000
        private static let exportBatch = 1_000

        let database: any Database
        let vault: PersonalDataVault
        let localizer: Localizer
        let locale: SiteLocale
        let now: Date

        /// Who may choose any library (and entries of no library); everyone else sees their own library's.
        static func seesEveryLibrary(_ staff: StaffMember) -> Bool { staff.role == .consortiumAdmin }

        // MARK: The filter as SQL

        /// What a filter was found to mean in the database: the rows it selects, and the patron records a typed
        /// subject named (for the audit entry, which never holds what was typed).
        struct Selection {
            let query: @Sendable () -> QueryBuilder<AuditEvent>
            let subjectRecords: [String]?
        }

        func selection(_ filter: AuditTrailFilter, staff: StaffMember) async throws -> Selection {
            var libraryID: UUID??
            switch filter.library {
            case .all: libraryID = Self.seesEveryLibrary(staff) ? nil : .some(staff.$library.id)
            case .consortium: libraryID = Self.seesEveryLibrary(staff) ? .some(nil) : .some(staff.$library.id)
            case .library(let code):
                // An unknown code selects nothing; another library's code is refused before it comes here.
                let id = try await Library.query(on: database).filter(\.$code == code).first()?.id ?? UUID()
                libraryID = .some(Self.seesEveryLibrary(staff) ? id : staff.$library.id)
            }
            var actorIDs: [String]?
            if let actor = filter.actor { actorIDs = try await self.actorIDs(actor) }
            var subjectType: String?, subjectIDs: [String]?, records: [String]?
            switch filter.subject {
            case .typed(let text)?:
                let found = try await patronIDs(typed: text)
                subjectType = "patron"
                subjectIDs = found
                records = found.map { "patron:\($0)" }
            case .record(let type, let id)?:
                subjectType = type
                subjectIDs = [id]
            case nil: break
            }
            let start = filter.from.map(Self.start), end = filter.to.map { Self.start(of: $0.adding(days: 1)) }
            let database = self.database
            let query: @Sendable () -> QueryBuilder<AuditEvent> = { [libraryID, actorIDs, subjectType, subjectIDs] in
                let query = AuditEvent.query(on: database)
                if let libraryID { query.filter(\.$libraryID == libraryID) }
                if let start { query.filter(\.$occurredAt >= start) }
                if let end { query.filter(\.$occurredAt < end) }
                if let action = filter.action { query.filter(\.$action == action) }
                if let actorIDs { query.filter(\.$actorID ~~ actorIDs) }
                if let subjectType { query.filter(\.$subjectType == subjectType) }
                // No patron found: a condition no entry meets (ids are UUIDs), so the answer looks like any empty one.
                if let subjectIDs { query.filter(\.$subjectID ~~ (subjectIDs.isEmpty ? ["-"] : subjectIDs)) }
                return query
            }
            return Selection(query: query, subjectRecords: records)
        }

        /// The first instant of `day` in Taiwan.
        static func start(of day: CalendarDay) -> Date {
            let local = Date(timeIntervalSince1970: Double(CalendarDay(year: 1970, month: 1, day: 1)!.days(until: day)) * 86_400)
            return local.addingTimeInterval(-Double(TimeZone.taipei.secondsFromGMT(for: local)))
        }

        /// Who `typed` may name: a staff member by email, an API client by name, a SIP2 account by login, and
        /// otherwise the actor id itself (a system job such as `group-import`, an OIDC client id, a UUID).
        private func actorIDs(_ typed: String) async throws -> [String] {
            var ids = [typed]
            ids += try await StaffMember.query(on: database).filter(\.$email == typed.lowercased()).all().compactMap { $0.id?.uuidString }
            ids += try await APIClient.query(on: database).filter(\.$name == typed).all().compactMap { $0.id?.uuidString }
            ids += try await SIP2AccountRecord.query(on: database).filter(\.$loginUser == typed).all().compactMap { $0.id?.uuidString }
            return ids
        }

        /// The patron whose card, application or ID number (through its blind index) is `text`.
        private func patronIDs(typed text: String) async throws -> [String] {
            let index = vault.blindIndex(text, context: CardApplicationService.idNumberContext)
            return try await Patron.query(on: database).group(.or) {
                $0.filter(\.$cardNumber == text).filter(\.$applicationNumber == text).filter(\.$idNumberIndex == index)
            }.all().compactMap { $0.id?.uuidString }
        }

        /// One keyset page, newest first, and whether there is more on either side.
        private func page(of selection: Selection, at cursor: AuditTrailCursor?, size: Int) async throws -> (rows: [AuditEvent], newer: Bool, older: Bool) {
            let query = selection.query()
            let ascending = cursor?.direction == .after
            if let cursor {
                let (time, id) = (cursor.occurredAt, cursor.id)
                // The bound on the instant alone lets the database walk an index from the cursor on; the `OR`
                // then only orders the entries of that one instant (an `OR` by itself makes SQLite scan them all).
                if ascending {
                    query.filter(\.$occurredAt >= time).group(.or) { $0.filter(\.$occurredAt > time).filter(\.$id > id) }
                } else {
                    query.filter(\.$occurredAt <= time).group(.or) { $0.filter(\.$occurredAt < time).filter(\.$id < id) }
                }
            }
            let direction: DatabaseQuery.Sort.Direction = ascending ? .ascending : .descending
            var rows = try await query.sort(\.$occurredAt, direction).sort(\.$id, direction).limit(size + 1).all()
            let more = rows.count > size
            rows = Array(rows.prefix(size))
            if ascending { rows.reverse() }
            return ascending ? (rows, more, true) : (rows, cursor != nil, more)
        }

        // MARK: The page

        // Counting `occurred_at` (never null) rather than the id lets each filter's index answer alone, without
        // reading every matching row (`COUNT(id)` read 47,000 rows for one library's count on SQLite).

        func model(_ filter: AuditTrailFilter?, cursor: AuditTrailCursor?, staff: StaffMember, ipAddress: String?,
                   form: FormState, exportError: String? = nil) async throws -> Model {
            let everyLibrary = Self.seesEveryLibrary(staff)
            let libraries = try await Library.query(on: database).sort(\.$position).all()
            var total = 0, rows: [Model.Row] = [], newer: String?, older: String?, newest: String?, csv: String?, xlsx: String?
            var subjectFilter: String?
            if let filter {
                let selection = try await selection(filter, staff: staff)
                total = try await selection.query().count(\.$occurredAt)
                let page = try await page(of: selection, at: cursor, size: Self.pageSize)
                rows = try await self.rows(page.rows, libraries: libraries)
                let query = try AuditTrailFilter.queryString(filter.query(vault: vault))
                let base = SiteURL.staffAudit.path + "?" + query
                if page.newer, let first = page.rows.first {
                    newer = base + "&after=" + AuditTrailCursor(.after, occurredAt: first.occurredAt, id: first.id!).value
                    newest = base
                }
                if page.older, let last = page.rows.last {
                    older = base + "&before=" + AuditTrailCursor(.before, occurredAt: last.occurredAt, id: last.id!).value
                }
                csv = SiteURL.staffAuditExport(.csv).path + "?" + query
                xlsx = SiteURL.staffAuditExport(.xlsx).path + "?" + query
                if case .record(let type, let id)? = filter.subject {
                    subjectFilter = try await subjectLabels([(type, id)])[SubjectKey(type: type, id: id)]?.label
                }
                try await AuditTrail.record("audit.viewed", by: .staff(staff.requireID(), ipAddress: ipAddress), libraryID: staff.$library.id,
                                            details: filter.details(subjectRecords: selection.subjectRecords), at: now, on: database)
            }
            let chosenAction = form.values["action"] ?? ""
            let chosenLibrary = form.values["library"] ?? ""
            return Model(
                scope: everyLibrary ? localizer.text("staff.audit.all_libraries", locale) : staff.library.name(in: locale),
                values: form.values, errors: form.errors, hasErrors: form.hasErrors,
                actions: AuditActionWords.codes(localizer: localizer).map {
                    .init(value: $0, label: AuditActionWords.words($0, localizer: localizer, locale: locale), selected: $0 == chosenAction)
                },
                mayChooseLibrary: everyLibrary,
                libraries: everyLibrary
                    ? [.init(value: "all", label: localizer.text("staff.audit.all_libraries", locale), selected: chosenLibrary == "all" || chosenLibrary.isEmpty),
                       .init(value: "none", label: localizer.text("staff.audit.no_library", locale), selected: chosenLibrary == "none")]
                      + libraries.map { .init(value: $0.code, label: $0.name(in: locale), selected: $0.code == chosenLibrary) }
                    : [],
                subjectFilter: subjectFilter, clearPath: SiteURL.staffAudit.path,
                total: total, rows: rows, newerPath: newer, olderPath: older, newestPath: newest,
                csvPath: csv, xlsxPath: xlsx, exportLimit: Self.exportLimit.formatted(), exportError: exportError)
        }

        // MARK: The download

        /// More entries match than a download holds.
        struct TooManyToExport: Error {}

        /// The filtered trail as a workbook, newest first, in batches so memory stays bounded; the download is
        /// audited with its filter and how many entries it held.
        func export(_ filter: AuditTrailFilter, as format: SiteURL.AuditExportFormat, staff: StaffMember, ipAddress: String?) async throws -> Data {
            let selection = try await selection(filter, staff: staff)
            let count = try await selection.query().count(\.$occurredAt)
            guard count <= Self.exportLimit else { throw TooManyToExport() }
            let libraries = try await Library.query(on: database).all()
            let writer: any SpreadsheetWriter = format == .csv ? CSVWriter() : try XLSXWriter()
            let headers = ["time", "action", "action_code", "actor_type", "actor", "subject_type", "subject_id", "subject", "library",
                           "ip", "details"]
            try writer.beginSheet(SpreadsheetSheet(
                name: localizer.text("staff.audit.title", locale),
                columns: [20.0, 24, 26, 14, 28, 18, 38, 20, 18, 16, 40].map { SpreadsheetColumn(width: $0, style: .text) }, frozenRows: 1))
            try writer.appendRow(texts: headers.map { localizer.text("staff.audit.export.\($0)", locale) }, style: .header)
            var cursor: AuditTrailCursor?
            var written = 0
            while true {
                let batch = try await page(of: selection, at: cursor, size: Self.exportBatch)
                for (event, row) in zip(batch.rows, try await rows(batch.rows, libraries: libraries)) {
                    try writer.appendRow(texts: [
                        row.time, row.action, event.action, localizer.text("audit.actor.\(event.actorType)", locale), row.actor,
                        event.subjectType ?? "", event.subjectID ?? "", row.subject, row.library, row.ipAddress, event.details ?? "",
                    ])
                }
                written += batch.rows.count
                guard batch.older, let last = batch.rows.last, written < Self.exportLimit else { break }
                cursor = AuditTrailCursor(.before, occurredAt: last.occurredAt, id: last.id!)
            }
            var details = filter.details(subjectRecords: selection.subjectRecords)
            details["format"] = format == .csv ? "csv" : "xlsx"
            details["entries"] = String(written)
            try await AuditTrail.record("audit.exported", by: .staff(staff.requireID(), ipAddress: ipAddress), libraryID: staff.$library.id,
                                        details: details, at: now, on: database)
            return try writer.finish()
        }

        // MARK: Rows in words

        private struct SubjectKey: Hashable {
            let type: String
            let id: String
        }

        /// `events` as the page and the download show them: actions in words, actors by name, subjects by what
        /// people know them by, linked to their records. One query per kind of name, never one per row.
        private func rows(_ events: [AuditEvent], libraries: [Library]) async throws -> [Model.Row] {
            let libraryNames = libraries.reduce(into: [UUID: String]()) { $0[$1.id!] = $1.name(in: locale) }
            let actors = try await actorNames(events)
            let subjects = try await subjectLabels(events.compactMap { event in event.subjectType.flatMap { type in event.subjectID.map { (type, $0) } } })
            return events.map { event in
                let subject = event.subjectType.flatMap { type in event.subjectID.map { SubjectKey(type: type, id: $0) } }
                let actor = actors[SubjectKey(type: event.actorType, id: event.actorID ?? "")]
                return Model.Row(
                    time: DisplayTime.second(event.occurredAt),
                    action: AuditActionWords.words(event.action, localizer: localizer, locale: locale), actionCode: event.action,
                    actor: actor?.label ?? kindWords("audit.actor.", event.actorType, event.actorID),
                    actorPath: actor?.path,
                    subject: subject.flatMap { subjects[$0]?.label } ?? "",
                    subjectPath: subject.flatMap { subjects[$0]?.path },
                    subjectFilterPath: subject.map { SiteURL.staffAudit.path + "?subject=\($0.type):\($0.id)" },
                    library: event.libraryID.flatMap { libraryNames[$0] } ?? "—",
                    ipAddress: event.ipAddress ?? "",
                    details: detailsText(event.details))
            }
        }

        /// "Kind id": the kind in words (`API 用戶端`, `系統作業`) and the id as it is.
        private func kindWords(_ prefix: String, _ type: String, _ id: String?) -> String {
            [localizer.textIfPresent(prefix + type, locale) ?? type, id].compactMap { $0 }.joined(separator: " ")
        }

        /// Staff by email, API clients by name, SIP2 accounts by login, readers as a link to their record.
        private func actorNames(_ events: [AuditEvent]) async throws -> [SubjectKey: (label: String, path: String?)] {
            func ids(_ type: String) -> [UUID] {
                Array(Set(events.filter { $0.actorType == type }.compactMap { $0.actorID.flatMap(UUID.init(uuidString:)) }))
            }
            var names: [SubjectKey: (label: String, path: String?)] = [:]
            let staffIDs = ids("staff"), clientIDs = ids("api_client"), accountIDs = ids("sip2_account")
            if !staffIDs.isEmpty {
                for member in try await StaffMember.query(on: database).filter(\.$id ~~ staffIDs).all() {
                    names[SubjectKey(type: "staff", id: member.id!.uuidString)] = (member.email, nil)
                }
            }
            if !clientIDs.isEmpty {
                for client in try await APIClient.query(on: database).filter(\.$id ~~ clientIDs).all() {
                    names[SubjectKey(type: "api_client", id: client.id!.uuidString)] = (kindWords("audit.actor.", "api_client", client.name), nil)
                }
            }
            if !accountIDs.isEmpty {
                for account in try await SIP2AccountRecord.query(on: database).filter(\.$id ~~ accountIDs).all() {
                    names[SubjectKey(type: "sip2_account", id: account.id!.uuidString)] = (kindWords("audit.actor.", "sip2_account", account.loginUser), nil)
                }
            }
            let patrons = try await subjectLabels(ids("reader").map { ("patron", $0.uuidString) })
            for (key, value) in patrons {
                names[SubjectKey(type: "reader", id: key.id)] = (kindWords("audit.actor.", "reader", value.number), value.path)
            }
            return names
        }

        /// Each subject as people know it, with the page of its record where there is one: a patron by card
        /// number (or application number before the card), other records by their kind and id.
        private func subjectLabels(_ subjects: [(String, String)]) async throws -> [SubjectKey: (label: String, number: String, path: String?)] {
            let patronIDs = Array(Set(subjects.filter { $0.0 == "patron" }.compactMap { UUID(uuidString: $0.1) }))
            var numbers: [String: String] = [:]
            if !patronIDs.isEmpty {
                for patron in try await Patron.query(on: database).filter(\.$id ~~ patronIDs).all() {
                    numbers[patron.id!.uuidString] = patron.cardNumber ?? patron.applicationNumber
                }
            }
            // Staff accounts by their email, as the actor column names them.
            let staffIDs = Array(Set(subjects.filter { $0.0 == "staff" }.compactMap { UUID(uuidString: $0.1) }))
            var emails: [String: String] = [:]
            if !staffIDs.isEmpty {
                for member in try await StaffMember.query(on: database).filter(\.$id ~~ staffIDs).all() { emails[member.id!.uuidString] = member.email }
            }
            var labels: [SubjectKey: (label: String, number: String, path: String?)] = [:]
            for (type, id) in subjects {
                let uuid = UUID(uuidString: id)
                let path: String? = switch (type, uuid) {
                case ("patron", let uuid?) where numbers[id] != nil: SiteURL.staffPatron(id: .value(uuid)).path
                case ("group_application", let uuid?): SiteURL.staffGroupApplication(id: .value(uuid)).path
                case ("group_batch", let uuid?): SiteURL.staffGroupBatch(id: .value(uuid)).path
                case ("oidc_client", _): SiteURL.staffOIDCClients.path
                case ("outbox_message", _): SiteURL.staffDeliveries.path
                default: nil
                }
                // A patron whose data is gone (erased) keeps only the id the trail holds.
                let number = type == "patron" ? numbers[id] ?? String(id.prefix(8))
                    : type == "staff" ? emails[id] ?? String(id.prefix(8)) : uuid == nil ? id : String(id.prefix(8))
                labels[SubjectKey(type: type, id: id)] = (kindWords("audit.subject.", type, number), number, path)
            }
            return labels
        }

        /// The entry's small JSON object as `key: value` pairs.
        private func detailsText(_ json: String?) -> String {
            guard let data = json?.data(using: .utf8),
                  let object = try? JSONDecoder().decode([String: String].self, from: data)
            else { return json ?? "" }
            return object.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: "; ")
        }
    }
}
