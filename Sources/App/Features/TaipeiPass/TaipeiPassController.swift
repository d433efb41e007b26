import Vapor

/// 以台北通登入 and the one redirect URI of the Taipei Pass client, which serves both signing in and
/// linking (合作館服務 → 與台北通結合 starts in `PartnerServicesController`). The callback answers with a
/// redirect either way, so reloading it cannot replay anything and the message sits on a normal page.
struct TaipeiPassController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.post(.taipeiPassSignIn, use: signIn)
        routes.get(.taipeiPassCallback, use: callback)
    }

    @Sendable
    func signIn(req: Request) async throws -> Response {
        guard let taipeiPass = TaipeiPassService(req) else { throw Abort(.notFound) }
        do {
            return req.redirect(to: try await taipeiPass.beginSignIn(), redirectType: .normal)
        } catch let failure as TaipeiPassFailure {
            return req.redirect(to: Self.signInPage(failure), redirectType: .normal)
        }
    }

    @Sendable
    func callback(req: Request) async throws -> Response {
        guard let taipeiPass = TaipeiPassService(req) else { throw Abort(.notFound) }
        let outcome = try await taipeiPass.complete(try req.query.decode(TaipeiPassService.Callback.self))
        switch outcome {
        case .linked:
            return req.redirect(to: SiteURL.accountPartnerDone(code: .value(PartnerLinkService.taipeiPassCode)).path, redirectType: .normal)
        case .signedIn:
            return req.redirect(to: SiteURL.myHome.path, redirectType: .normal)
        case .failed(let failure, let purpose):
            // Linking reports on 合作館服務 while the reader is still signed in; everything else on 登入.
            if purpose != .signIn, try await req.signedInPatron() != nil {
                return req.redirect(to: SiteURL.accountPartners.path + "?taipei_pass=\(failure.rawValue)", redirectType: .normal)
            }
            return req.redirect(to: Self.signInPage(failure), redirectType: .normal)
        }
    }

    static func signInPage(_ failure: TaipeiPassFailure) -> String {
        SiteURL.service(.signIn).path + "?taipei_pass=\(failure.rawValue)"
    }
}
