import Fluent
import Vapor

/// The home page and the service pages it leads to.
struct HomeController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get(.home, use: home)
        // 網路辦證, 數位借閱證, 集體辦證 and 登入 have their own controllers; the others are information pages until their flows arrive.
        for service in SiteURL.Service.allCases where ![.cardApplication, .digitalCard, .groupApplication, .signIn].contains(service) {
            routes.get(.service(service)) { req in try await Self.service(service, req: req) }
        }
    }

    @Sendable
    func home(req: Request) async throws -> View {
        try await req.view.render("home", try await HomePage.query(locale: req.locale, directory: req.application.consortiumDirectory,
                                                                  database: req.db, now: req.now))
    }

    struct ServicePage: Encodable {
        let titleKey: String
        let summaryKey: String
        let points: [String]
    }

    static func service(_ service: SiteURL.Service, req: Request) async throws -> View {
        let key = service.localizationKey
        // The number of points is whatever the localization file holds for this service.
        let points = (1...20).map { "\(key).point\($0)" }.filter { req.application.localizer.keys(for: req.locale).contains($0) }
        return try await req.view.render("service", ServicePage(titleKey: key + ".title", summaryKey: key + ".summary", points: points))
    }
}
