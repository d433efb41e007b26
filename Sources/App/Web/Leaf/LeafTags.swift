import Leaf
import LeafKit
import Vapor

/// `#t("home.title")` — localized text for the request's language; `#t("key", "name", value)` fills `{name}`.
struct TranslateTag: LeafTag {
    func render(_ ctx: LeafContext) throws -> LeafData {
        guard let key = ctx.parameters.first?.string, let request = ctx.request else {
            throw LeafError(.unknownError("#t(key) needs a key and a request"))
        }
        var values: [String: String] = [:]
        var rest = ctx.parameters.dropFirst()
        while let name = rest.popFirst()?.string, let value = rest.popFirst() {
            values[name] = value.string ?? ""
        }
        return .string(request.t(key, values))
    }
}

/// `#csrfField()` — the hidden input that every state-changing form must carry.
struct CSRFFieldTag: UnsafeUnescapedLeafTag {
    func render(_ ctx: LeafContext) throws -> LeafData {
        guard let request = ctx.request else { throw LeafError(.unknownError("#csrfField() needs a request")) }
        let token = request.csrfToken
        return .string(#"<input type="hidden" name="\#(CSRFMiddleware.formField)" value="\#(token)">"#)
    }
}

/// `#htmlLang()` and `#otherLanguage()`/`#otherLanguageURL()` for the layout's language switch.
struct HTMLLanguageTag: LeafTag {
    func render(_ ctx: LeafContext) throws -> LeafData {
        .string(ctx.request?.locale.htmlLanguage ?? SiteLocale.zhTW.htmlLanguage)
    }
}

struct OtherLanguageURLTag: LeafTag {
    func render(_ ctx: LeafContext) throws -> LeafData {
        guard let request = ctx.request else { return .string("/") }
        let other: SiteLocale = request.locale == .zhTW ? .en : .zhTW
        var components = URLComponents()
        components.path = request.url.path
        var items = (URLComponents(string: request.url.string)?.queryItems ?? []).filter { $0.name != "lang" }
        items.append(URLQueryItem(name: "lang", value: other.rawValue))
        components.queryItems = items
        return .string(components.string ?? "/?lang=\(other.rawValue)")
    }
}

struct OtherLanguageTag: LeafTag {
    func render(_ ctx: LeafContext) throws -> LeafData {
        guard let request = ctx.request else { return .string("") }
        let other: SiteLocale = request.locale == .zhTW ? .en : .zhTW
        return .string(other.rawValue)
    }
}

/// `#isEnglish()` — for the few places a template shows a database field in the page's language.
struct IsEnglishTag: LeafTag {
    func render(_ ctx: LeafContext) throws -> LeafData {
        .bool(ctx.request?.locale == .en)
    }
}

/// Whether a reader is signed in on this session: the header then offers 我的主頁 instead of 登入.
/// Reads the session only (no database), so it is a display hint, never an access check.
struct ReaderSignedInTag: LeafTag {
    func render(_ ctx: LeafContext) throws -> LeafData {
        guard let request = ctx.request, request.hasSession else { return .bool(false) }
        return .bool(request.session.data[ReaderSessionController.sessionKey] != nil)
    }
}
