import XCTest
@testable import App

/// The HTML part of an email, rendered byte by byte since issue #13 item 6 (a batch of 50,000 group cards
/// renders 50,000 of them): the same paragraphs, line breaks, escaping, links and buttons as the
/// Character-by-Character rendering before it.
final class MailHTMLTests: XCTestCase {
    func testParagraphsLinesEscapingLinksAndButtonsAsBefore() {
        let skeleton = "\r\n\r\n您好 \(MailHTML.marker("name"))：\r\n\r\n\n第一行 <b> & \"引號\" 'single'\n"
            + "卡號 \(MailHTML.marker("card"))\u{2028}\n\n\(MailHTML.marker("link"))\n\n\(MailHTML.marker("site"))\n\n\u{85}\n\n"
            + "末行 \(MailHTML.marker("missing"))é\u{301}>\n\n"
        let html = MailHTML.render(
            skeleton: skeleton,
            values: ["name": "王<小明> & 'Co'", "card": "1001000000017", "link": "https://x.example/a?b=1&c=2",
                     "site": "http://site.example/\"q\""],
            buttons: ["link": "設定密碼 & 開始"], title: "標題 <1>", language: "zh-Hant-TW")
        let button = "display:inline-block;padding:12px 24px;min-height:20px;background:#1d4f91;color:#ffffff;"
            + "text-decoration:none;border-radius:6px;font-weight:bold;font-size:16px;line-height:20px"
        let link = "color:#1d4f91;text-decoration:underline;word-break:break-all"
        let body = """
            <p style="margin:0 0 16px 0">您好 王&lt;小明&gt; &amp; &#39;Co&#39;：</p>
            <p style="margin:0 0 16px 0">第一行 &lt;b&gt; &amp; &quot;引號&quot; &#39;single&#39;<br>
            卡號 1001000000017</p>
            <p style="margin:0 0 16px 0"><a href="https://x.example/a?b=1&amp;c=2" style="\(button)">設定密碼 &amp; 開始</a></p>
            <p style="margin:0 0 16px 0"><a href="http://site.example/&quot;q&quot;" style="\(link)">http://site.example/&quot;q&quot;</a></p>
            <p style="margin:0 0 16px 0">末行 é\u{301}&gt;</p>

            """
        XCTAssertTrue(html.contains("<title>標題 &lt;1&gt;</title>"))
        XCTAssertTrue(html.contains("<html lang=\"zh-Hant-TW\">"))
        let start = try! XCTUnwrap(html.range(of: "line-height:1.6\">\n"))
        let end = try! XCTUnwrap(html.range(of: "</div>\n</body>"))
        XCTAssertEqual(String(html[start.upperBound..<end.lowerBound]), body)
    }

    func testEscapeLeavesOtherTextAlone() {
        XCTAssertEqual(MailHTML.escape("臺北 <a href='x'>&</a> \"é\""), "臺北 &lt;a href=&#39;x&#39;&gt;&amp;&lt;/a&gt; &quot;é&quot;")
        XCTAssertEqual(MailHTML.escape("沒有要跳脫的字"), "沒有要跳脫的字")
    }
}
