import Fluent
import SQLKit
import XCTVapor
@testable import App

/// Issue #14 item 4, the reports' speed: the digital card queue and partner links are read from covering indexes (`AddReportCoveringIndexes`), as the patrons' applications
/// are. On SQLite the query planner is asked; on PostgreSQL, whose planner decides by table statistics, the
/// new indexes must exist and the narrower ones they replace be gone.
final class ReportIndexesTests: XCTestCase {
    func testTheReportsQueuesAreReadFromCoveringIndexes() async throws {
        try await withTestApp { app in
            let sql = app.db as! any SQLDatabase
            guard sql.dialect.name == "sqlite" else {
                let names = try await sql.raw("SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()").all()
                    .map { try $0.decode(column: "indexname", as: String.self) }
                for index in AddReportCoveringIndexes.indexes { XCTAssertTrue(names.contains(index.name), index.name) }
                for index in AddReportCoveringIndexes.replaced { XCTAssertFalse(names.contains(index.name), index.name) }
                return
            }
            func plan(_ statement: SQLQueryString) async throws -> String {
                try await sql.raw("EXPLAIN QUERY PLAN " + statement).all()
                    .map { try $0.decode(column: "detail", as: String.self) }.joined(separator: "\n")
            }
            // The shapes of `ReportFigures.Query`'s statements for the digital card queue and partner links.
            let from = Date(timeIntervalSince1970: 1_765_209_600), to = Date(timeIntervalSince1970: 1_796_745_600)
            let digital = try await plan("""
                SELECT p.library_id, date(d.submitted_at, 'unixepoch', '+8 hours'),
                       CASE WHEN d.method = 'documents' AND d.status IN ('approved', 'rejected') AND d.decided_at IS NOT NULL
                            THEN date(d.decided_at, 'unixepoch', '+8 hours') END, COUNT(*)
                FROM digital_card_applications d JOIN patrons p ON p.id = d.patron_id
                WHERE d.submitted_at >= \(bind: from) AND d.submitted_at < \(bind: to) AND d.method = 'documents'
                GROUP BY 1, 2, 3
                """)
            XCTAssertTrue(digital.contains("COVERING INDEX digital_card_applications_report"), digital)
            let links = try await plan("""
                SELECT l.partner_service_id, COUNT(*) FROM partner_links l JOIN partner_services s ON s.id = l.partner_service_id
                WHERE l.created_at >= \(bind: from) AND l.created_at < \(bind: to) GROUP BY 1
                """)
            XCTAssertTrue(links.contains("COVERING INDEX partner_links_report"), links)
        }
    }
}
