import Fluent
import Foundation
import OneCardDomain
import SQLKit
import Vapor

/// `onecard seed-reports`: a year (or any span) of made-up applications for measuring the reports (issue #14
/// item 4, `scripts/benchmark-reports`): patrons across the libraries and channels, with the digital card
/// reviews, group applications and batches, readers' requests and partner links that the reports count, and
/// two administrators to read them (printed with their passwords as JSON, as `seed-demo` does).
///
/// The rows carry no personal data (names are "報表測試 n", no ID numbers) and are written with multi-row
/// INSERTs of `chunk` rows, so 100,000 applications take seconds, not the hours the real paths' bcrypt would.
/// It is for a benchmark or demonstration database, never a library's own.
struct SeedReportsCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "applications", help: "How many applications (default 100000)")
        var applications: Int?
        @Option(name: "days", help: "Over how many days up to today (default 365)")
        var days: Int?
        @Option(name: "seed", help: "Seed of the made-up figures (default 1), so two runs make the same data")
        var seed: UInt64?
    }

    var help: String { "Adds made-up applications for measuring the reports; prints two administrators as JSON" }

    /// Rows per INSERT: 1,000 patrons are 12,000 bound values, within SQLite's 32,766.
    static let chunk = 1_000

    struct Output: Encodable {
        let staff: [SeedDemoCommand.Output.Staff]
        let applications: Int
        let from: String
        let to: String
        let seconds: Double
    }

    /// SplitMix64: small, fast and the same on every machine.
    struct Figures: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        let started = Date()
        let now = app.clock.now()
        let count = max(signature.applications ?? 100_000, 1)
        let days = max(signature.days ?? 365, 1)
        var random = Figures(state: signature.seed ?? 1)
        let run = String(Int(now.timeIntervalSince1970), radix: 36)

        let libraries = try await Library.query(on: app.db).sort(\.$position).all()
        // Taipei is half the consortium's work; the others share the rest.
        let weights = libraries.map { $0.code == "TPML" ? Double(libraries.count - 1) : 1 }
        let services = try await PartnerService.query(on: app.db).all()
        guard let document = try await ConsentDocument.query(on: app.db).first() else { throw OneCardError.notFound }
        let documentID = try document.requireID()
        let today = CalendarDay(date: now, timeZone: .taipei)
        let firstDay = today.adding(days: -(days - 1))
        func pick<T>(_ items: [T], weights: [Double]) -> T {
            var roll = Double.random(in: 0..<weights.reduce(0, +), using: &random)
            for (item, weight) in zip(items, weights) {
                roll -= weight
                if roll < 0 { return item }
            }
            return items[items.count - 1]
        }
        func arrival() -> Date {
            // Office hours, 08:00–20:00 Taipei, on any day of the span.
            let day = firstDay.adding(days: Int.random(in: 0..<days, using: &random))
            return ReportRange.midnight(day).addingTimeInterval(Double.random(in: 8 * 3600..<20 * 3600, using: &random))
        }
        func after(_ date: Date, days range: ClosedRange<Double>) -> Date? {
            let decided = date.addingTimeInterval(Double.random(in: range, using: &random) * 86_400)
            return decided < now ? decided : nil
        }

        var patrons: [[any SQLExpression]] = [], digital: [[any SQLExpression]] = [], consents: [[any SQLExpression]] = []
        var links: [[any SQLExpression]] = [], requests: [[any SQLExpression]] = []
        var groupApplications: [[any SQLExpression]] = [], batches: [[any SQLExpression]] = []
        var written = 0
        func flush(force: Bool) async throws {
            guard force || patrons.count >= Self.chunk else { return }
            let rows = (patrons: patrons, digital: digital, consents: consents, links: links, requests: requests,
                        groupApplications: groupApplications, batches: batches)
            try await app.db.transaction { db in
                let sql = db as! any SQLDatabase
                try await Self.insert(rows.groupApplications, into: "group_applications", columns: Self.groupApplicationColumns, on: sql)
                try await Self.insert(rows.batches, into: "group_batches", columns: Self.batchColumns, on: sql)
                try await Self.insert(rows.patrons, into: "patrons", columns: Self.patronColumns, on: sql)
                try await Self.insert(rows.digital, into: "digital_card_applications", columns: Self.digitalColumns, on: sql)
                try await Self.insert(rows.consents, into: "consent_records", columns: ["id", "patron_id", "document_id", "given_at", "channel"], on: sql)
                try await Self.insert(rows.links, into: "partner_links", columns: Self.linkColumns, on: sql)
                try await Self.insert(rows.requests, into: "patron_requests", columns: Self.requestColumns, on: sql)
            }
            written += patrons.count
            (patrons, digital, consents, links, requests, groupApplications, batches) = ([], [], [], [], [], [], [])
        }

        // Group cards come in batches of about 40 under one application of their library.
        var openBatches: [UUID: (received: Date, left: Int)] = [:]
        let channels: [Patron.ApplicationChannel] = [.web, .api, .group, .digital]
        for index in 0..<count {
            let library = pick(libraries, weights: weights)
            let channel = pick(channels, weights: [45, 20, 25, 10])
            let id = UUID()
            var libraryID = try library.requireID()
            var applied = arrival()
            var status = "pending", kind = "physical"
            var activated: Date?
            switch channel {
            case .web, .api:
                // Four in five come to a desk, after hours to three weeks.
                if Double.random(in: 0..<1, using: &random) < 0.8, let at = after(applied, days: 0.05...21) {
                    status = "active"
                    activated = at
                }
                if status == "active", Double.random(in: 0..<1, using: &random) < 0.3,
                   let service = services.filter({ $0.$library.id == libraryID }).randomElement(using: &random), let serviceID = service.id {
                    let consent = UUID()
                    consents.append([SQLBind(consent), SQLBind(id), SQLBind(documentID), SQLBind(applied), SQLBind(channel.rawValue)])
                    links.append([SQLBind(UUID()), SQLBind(id), SQLBind(serviceID), SQLBind("active"), SQLBind(consent),
                                  SQLBind(applied), SQLBind(activated)])
                }
            case .group:
                if (openBatches[libraryID]?.left ?? 0) == 0 {
                    let application = UUID(), batch = UUID()
                    let received = arrival()
                    let decided = after(received, days: 1...16)
                    let submitted = received.addingTimeInterval(-7 * 86_400)
                    let reference = "RPT-\(run)-\(index)"
                    groupApplications.append([
                        SQLBind(application), SQLBind(libraryID), SQLBind("G-" + reference), SQLBind("approved"), SQLBind("報表測試學校 \(index)"),
                        SQLBind("school"), SQLBind("聯絡人"), SQLBind("主任"), SQLBind("0200000000"), SQLBind("report-\(index)@school.example"),
                        SQLBind(1), SQLBind("L-\(index)"), SQLBind(today.iso), SQLBind(submitted), SQLBind("zh-TW"), SQLBind(submitted),
                        SQLBind(today.iso), SQLBind(submitted.addingTimeInterval(2 * 86_400)),
                    ])
                    batches.append([
                        SQLBind(batch), SQLBind(application), SQLBind("B-" + reference), SQLBind("L-\(index)"), SQLBind(today.iso),
                        SQLBind(decided == nil ? "queued" : "completed"), SQLBind(received), SQLBind(today.iso), SQLBind(today.iso),
                        SQLBind(40), SQLBind("[]"), SQLBind(decided == nil ? 0 : 40), SQLBind(0), SQLBind(decided), SQLBind(decided),
                    ])
                    openBatches[libraryID] = (received, 40)
                }
                openBatches[libraryID]!.left -= 1
                applied = openBatches[libraryID]!.received
                status = "active"
                kind = "digital"
            case .digital:
                libraryID = try libraries.first { $0.code == DigitalCardService.libraryCode }?.requireID() ?? libraryID
                kind = "digital"
                let certificate = Double.random(in: 0..<1, using: &random) < 0.3
                let decided = certificate ? applied : after(applied, days: 0.1...6)
                let approved = certificate || (decided != nil && Double.random(in: 0..<1, using: &random) < 0.9)
                status = approved ? "active" : "pending"
                activated = approved ? decided : nil
                digital.append([
                    SQLBind(UUID()), SQLBind(id), SQLBind(certificate ? "certificate" : "documents"),
                    SQLBind(decided == nil ? "submitted" : (approved ? "approved" : "rejected")), SQLBind("adult"), SQLBind(applied),
                    SQLBind(today.iso), SQLBind(decided),
                ])
            }
            patrons.append([
                SQLBind(id), SQLBind(libraryID), SQLBind(status), SQLBind("personal"), SQLBind(kind), SQLBind("RPT-\(run)-\(index)"),
                SQLBind("報表測試 \(index)"), SQLBind("zh-TW"), SQLBind(applied), SQLBind(activated), SQLBind(channel.rawValue),
            ])
            // One reader in a hundred asks for something; most are answered within the 30 days.
            if status == "active", Double.random(in: 0..<1, using: &random) < 0.01 {
                let asked = after(applied, days: 1...60) ?? applied
                let answered = after(asked, days: 0.2...35)
                requests.append([SQLBind(UUID()), SQLBind(id), SQLBind("name_change"), SQLBind(answered == nil ? "pending" : "approved"),
                                 SQLBind(answered == nil ? "\(id.uuidString):name_change" : nil as String?), SQLBind(asked), SQLBind(answered)])
            }
            try await flush(force: false)
        }
        try await flush(force: true)

        var staff: [SeedDemoCommand.Output.Staff] = []
        let taipei = try await Library.require(code: "TPML", on: app.db)
        for role in [StaffMember.Role.consortiumAdmin, .admin] {
            let email = "report-\(role.rawValue)-\(run)@tpml.example"
            let password = SeedDemoCommand.randomPassword()
            let member = StaffMember(libraryID: try taipei.requireID(), email: email, role: role)
            member.passwordHash = try await app.passwordHashing.hash(password)
            try await member.create(on: app.db)
            staff.append(.init(email: email, password: password, role: role.rawValue, library: taipei.code))
        }
        let output = Output(staff: staff, applications: written, from: firstDay.iso, to: today.iso,
                            seconds: (Date().timeIntervalSince(started) * 10).rounded() / 10)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        context.console.output(String(decoding: try encoder.encode(output), as: UTF8.self).consoleText())
    }

    static let patronColumns = ["id", "library_id", "status", "card_type", "card_kind", "application_number", "name", "locale",
                                "applied_at", "activated_at", "application_channel"]
    static let digitalColumns = ["id", "patron_id", "method", "status", "document_set", "submitted_at", "due_on", "decided_at"]
    static let linkColumns = ["id", "patron_id", "partner_service_id", "status", "consent_record_id", "created_at", "activated_at"]
    static let requestColumns = ["id", "patron_id", "kind", "status", "open_key", "requested_at", "decided_at"]
    static let groupApplicationColumns = [
        "id", "library_id", "reference", "status", "organization_name", "organization_kind", "contact_name", "contact_title",
        "contact_phone", "contact_email", "contact_generation", "letter_number", "letter_date", "obligations_accepted_at", "locale",
        "submitted_at", "due_on", "decided_at",
    ]
    static let batchColumns = [
        "id", "application_id", "reference", "letter_number", "letter_date", "status", "received_at", "target_on", "due_on",
        "row_count", "left_out", "imported_count", "skipped_count", "decided_at", "completed_at",
    ]

    private static func insert(_ rows: [[any SQLExpression]], into table: String, columns: [String], on sql: any SQLDatabase) async throws {
        guard !rows.isEmpty else { return }
        try await sql.insert(into: table).columns(columns).rows(rows).run()
    }
}
