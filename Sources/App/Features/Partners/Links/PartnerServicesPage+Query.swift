import Fluent
import Foundation

extension PartnerServicesPage {
    /// The partner services of the reader's home library, in their order, with the reader's links.
    static func query(for patron: Patron, locale: SiteLocale, taipeiPassConfigured: Bool, database: any Database,
                      now: Date) async throws -> PartnerServicesPage {
        let rows = try await PartnerLinkService(database: database, now: now).offered(to: patron).map { service, link in
            Row(code: service.code, name: service.name(in: locale),
                enabled: link?.status == .active, cityAccountUnavailable: service.kind == .cityAccount && !taipeiPassConfigured,
                enablePath: SiteURL.accountPartner(code: .value(service.code)).path,
                disablePath: SiteURL.accountPartnerDisable(code: .value(service.code)).path)
        }
        return PartnerServicesPage(rows: rows, notice: nil, problem: nil)
    }
}
