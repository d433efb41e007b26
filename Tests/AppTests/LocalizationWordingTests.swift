import Foundation
import XCTest
@testable import App

/// #17 item 9: the seed writes 服務臺, and so does most of the site; 服務台 (the mobile card, the name
/// change) and the staff role 櫃台 crept in beside it. One word for one thing: 服務臺 and 櫃臺 throughout.
final class LocalizationWordingTests: XCTestCase {
    static let variants = ["服務台", "櫃台"]

    func testNoLocalizedTextOrTemplateUsesTheOtherFormOfTheDeskWord() throws {
        let localizer = try Localizer.load(from: Resources.path("Localization"))
        for locale in SiteLocale.allCases {
            for key in localizer.keys(for: locale) {
                let text = localizer.text(key, locale)
                for variant in Self.variants {
                    XCTAssertFalse(text.contains(variant), "\(locale.rawValue) \(key): \(text)")
                }
            }
        }
        let views = Resources.path("Views")
        let files = FileManager.default.enumerator(atPath: views)?.compactMap { $0 as? String }.filter { $0.hasSuffix(".leaf") } ?? []
        XCTAssertFalse(files.isEmpty)
        for file in files {
            let text = try String(contentsOfFile: (views as NSString).appendingPathComponent(file), encoding: .utf8)
            for variant in Self.variants {
                XCTAssertFalse(text.contains(variant), file)
            }
        }
        // The places the issue found, now in the seed's word.
        XCTAssertTrue(localizer.text("reader.card.hint", .zhTW).contains("在服務臺"))
        XCTAssertTrue(localizer.text("reader.request.name_change.intro", .zhTW).contains("至服務臺"))
        XCTAssertEqual(localizer.text("staff.role.desk", .zhTW), "櫃臺")
    }
}
