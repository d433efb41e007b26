import Vapor

/// 以台北通登入 and the one redirect URI of the Taipei Pass client, which serves both signing in and
/// linking (合作館服務 → 與台北通結合 starts in `PartnerServicesController`). The callback answers with a
/// redirect either way, so reloading it cannot replay anything and the message sits on a normal page.
struct TaipeiPassController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.post(.taipeiPassSignIn, maximumBytes: .form, use: signIn)
        routes.get(.taipeiPassCallback, use: callback)
    }

    @Sendable
    func signIn(req: Request) async throws -> Response {
        guard let taipeiPass = req.taipeiPass else { throw Abort(.notFound) }
        do {
            let started = try await taipeiPass.beginSignIn(locale: req.locale)
            req.keepTaipeiPassAuthorization(started)
            return req.redirect(to: started.url, redirectType: .normal)
        } catch let failure as TaipeiPassFailure {
            return req.redirect(to: Self.signInPage(failure), redirectType: .normal)
        }
    }

    @Sendable
    func callback(req: Request) async throws -> Response {
        guard let taipeiPass = req.taipeiPass else { throw Abort(.notFound) }
        let callback = try req.query.decode(TaipeiPassService.Callback.self)
        let outcome = try await taipeiPass.complete(callback, sealedPending: req.takeTaipeiPassAuthorization(),
                                                    signedInPatron: { try await req.signedInPatron() }, ipAddress: req.clientAddress)
        switch outcome {
        case .linked:
            return req.redirect(to: SiteURL.accountPartnerDone(code: .value(PartnerLinkService.taipeiPassCode)).path, redirectType: .normal)
        case .signedIn(let patronID):
            try await req.rotateSession()
            req.session.data[ReaderSessionController.sessionKey] = patronID.uuidString
            if let ask = try await req.askRenewedConsent(of: patronID, thenTo: SiteURL.myHome.path, channel: "taipei_pass") { return ask }
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
