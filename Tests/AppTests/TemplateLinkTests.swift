import Foundation
import LeafKit
import NIOCore
import NIOPosix
import XCTest
@testable import App

/// The templates link through `SiteURL`, never by a path written into the HTML: a renamed route then moves its
/// links too, and a link to a name that no case carries fails here rather than rendering an empty `href`.
final class TemplateLinkTests: XCTestCase {
    static let resources = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Sources/App/Resources")

    /// Every `.leaf` file, with its path relative to `Views/` and its text.
    static func templates() throws -> [(name: String, text: String)] {
        let views = resources.appendingPathComponent("Views")
        let files = FileManager.default.enumerator(at: views, includingPropertiesForKeys: nil)?
            .compactMap { $0 as? URL }
            .filter { $0.pathExtension == "leaf" } ?? []
        return try files.map { file in
            (String(file.path.dropFirst(views.path.count + 1)), try String(contentsOf: file, encoding: .utf8))
        }.sorted { $0.name < $1.name }
    }

    func testNoTemplateWritesASitePathByHand() throws {
        let templates = try Self.templates()
        XCTAssertGreaterThan(templates.count, 40, "the templates were not found under \(Self.resources.path)")
        let written = try NSRegularExpression(pattern: #"\b(href|action|src)="(/[^"]*)""#)
        for template in templates {
            let text = template.text as NSString
            for match in written.matches(in: template.text, range: NSRange(location: 0, length: text.length)) {
                let path = text.substring(with: match.range(at: 2))
                // Files under Public/ are served as they lie, not routed, so their paths are not SiteURL cases.
                let isStaticAsset = !path.contains("#") && FileManager.default.fileExists(
                    atPath: Self.resources.appendingPathComponent("Public").path + path
                )
                XCTAssertTrue(isStaticAsset, "\(template.name) writes \(text.substring(with: match.range)); link with #path(\"…\") or a path from the page model")
            }
        }
    }

    func testEveryNameTheTemplatesLinkByIsASiteURL() throws {
        let named = try NSRegularExpression(pattern: #"#path\(([^)]*)\)"#)
        var names = 0
        for template in try Self.templates() {
            let text = template.text as NSString
            for match in named.matches(in: template.text, range: NSRange(location: 0, length: text.length)) {
                names += 1
                let argument = text.substring(with: match.range(at: 1))
                XCTAssertTrue(argument.hasPrefix("\"") && argument.hasSuffix("\""), "\(template.name): #path(\(argument)) must name its case in quotes")
                let name = String(argument.dropFirst().dropLast())
                XCTAssertNotNil(SiteURL(templateName: name), "\(template.name): #path(\"\(name)\") names no SiteURL case")
            }
        }
        XCTAssertGreaterThan(names, 50)
    }

    func testThePathTagRendersTheCasesPathAndRefusesAnUnknownName() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        func render(_ template: String) async throws -> String {
            let renderer = LeafRenderer(
                configuration: .init(rootDirectory: "/"), tags: ["path": PathTag()], cache: DefaultLeafCache(),
                sources: .singleSource(InlineTemplate(text: template)), eventLoop: group.next()
            )
            let buffer = try await renderer.render(path: "inline", context: [:]).get()
            return String(buffer: buffer)
        }
        let rendered = try await render(##"<a href="#path("accountPartners")">"##)
        XCTAssertEqual(rendered, #"<a href="/account/partners">"#)
        let home = try await render(##"<a href="#path("home")">"##)
        XCTAssertEqual(home, #"<a href="/">"#)
        do {
            _ = try await render(##"<a href="#path("accountPartnerz")">"##)
            XCTFail("an unknown name rendered a link")
        } catch {}
        try await group.shutdownGracefully()
    }
}

/// One template held in memory, whatever name is asked for.
private struct InlineTemplate: LeafSource {
    let text: String

    func file(template: String, escape: Bool, on eventLoop: any EventLoop) throws -> EventLoopFuture<ByteBuffer> {
        eventLoop.makeSucceededFuture(ByteBuffer(string: text))
    }
}
