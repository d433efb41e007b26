/// A consent document's title and body in the reader's language, chosen as `BilingualName` chooses names.
extension ConsentDocument {
    func title(in locale: SiteLocale) -> String {
        locale.choose(zhTW: titleZH, en: titleEN)
    }

    func body(in locale: SiteLocale) -> String {
        locale.choose(zhTW: bodyZH, en: bodyEN)
    }
}
