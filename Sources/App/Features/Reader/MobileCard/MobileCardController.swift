import CardBarcode
import Vapor

/// 行動借閱證: the card number as a Code 128 barcode and a QR code, drawn by the server, for the desk's
/// scanner to read from a phone screen.
struct MobileCardController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get(.accountCard, use: page)
        routes.get(.accountCardImage(.code128), use: image)
        routes.get(.accountCardImage(.qr), use: image)
    }

    @Sendable
    func page(req: Request) async throws -> Response {
        guard let patron = try await req.signedInPatron(), let cardNumber = patron.cardNumber else {
            return req.redirect(to: SiteURL.service(.signIn).path)
        }
        let page = ReaderCardPage(patron, cardNumber: cardNumber, locale: req.locale, localizer: req.application.localizer, now: req.now)
        let response = try await req.view.render("reader/card", page).encodeResponse(for: req)
        response.headers.replaceOrAdd(name: .cacheControl, value: "no-store")
        return response
    }

    @Sendable
    func image(req: Request) async throws -> Response {
        guard let patron = try await req.signedInPatron(), let cardNumber = patron.cardNumber else { throw Abort(.notFound) }
        let symbology = req.url.path.hasSuffix(SiteURL.CardImage.qr.rawValue) ? SiteURL.CardImage.qr : .code128
        // Code 128: 3 px per module and 120 px high; QR: 8 px per module. Both include their quiet zones,
        // which scanners need as much as the bars.
        let png = switch symbology {
        case .code128: try Code128(cardNumber).png(moduleWidth: 3, height: 120)
        case .qr: try QRCode(cardNumber, errorCorrection: .medium).png(scale: 8)
        }
        var headers = HTTPHeaders()
        headers.contentType = .png
        headers.replaceOrAdd(name: .cacheControl, value: "no-store")
        return Response(status: .ok, headers: headers, body: .init(data: Data(png)))
    }
}
