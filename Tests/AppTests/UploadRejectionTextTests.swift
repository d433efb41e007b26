import UploadInspection
import XCTest
@testable import App

/// What a person reads when an upload is refused, on the digital card form (`apply.error.upload_…`) and the
/// group application (`group.error.upload_…`), in both languages.
final class UploadRejectionTextTests: XCTestCase {
    static let rejections: [UploadRejection] = [
        .empty, .tooLarge(bytes: 2, limit: 1), .notAnAcceptedType(detected: nil), .tooManyPixels(width: 2, height: 2, limit: 1),
        .malformed(offset: 0, reason: "x"), .encryptedPDF, .unsafePDF(reason: "contains JavaScript"),
        .tooManyPages(pages: 2, limit: 1), .pdfObjectsTooLarge(limit: 64 * 1_048_576),
    ]

    func testEveryRefusalHasItsOwnMessageInBothLanguages() throws {
        let localizer = try Localizer.load(from: Resources.path("Localization"))
        for form in ["apply", "group"] {
            for locale in [SiteLocale.zhTW, .en] {
                let keys = localizer.keys(for: locale)
                let messages = Self.rejections.map { localizer.text("\(form).error.upload_\($0.code)", locale) }
                for (rejection, key) in zip(Self.rejections, Self.rejections.map { "\(form).error.upload_\($0.code)" }) {
                    XCTAssertTrue(keys.contains(key), "\(locale) lacks \(key) (\(rejection))")
                }
                XCTAssertEqual(Set(messages).count, messages.count, "\(form) \(locale): two refusals read alike")
            }
        }
    }

    func testAnOversizedPDFIsToldItIsTooBigNotThatItHoldsCode() throws {
        let localizer = try Localizer.load(from: Resources.path("Localization"))
        let code = UploadRejection.pdfObjectsTooLarge(limit: 64 * 1_048_576).code
        for form in ["apply", "group"] {
            let zh = localizer.text("\(form).error.upload_\(code)", .zhTW)
            XCTAssertTrue(zh.contains("過大") && zh.contains("64 MB"), zh)
            XCTAssertFalse(zh.contains("程式碼") || zh.contains("附件"), zh)
            let en = localizer.text("\(form).error.upload_\(code)", .en)
            XCTAssertTrue(en.contains("too large") && en.contains("64 MB"), en)
            XCTAssertFalse(en.contains("script") || en.contains("attachment"), en)
        }
    }
}
