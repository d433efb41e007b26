/// Something the consortium names in both languages (a library, a service desk, a partner service). Pages,
/// mail and spreadsheets take the name in the reader's language through `name(in:)`, so the choice between
/// the two columns is made in one place.
protocol BilingualName {
    var nameZH: String { get }
    var nameEN: String { get }
}

extension BilingualName {
    /// The name in `locale`'s language.
    func name(in locale: SiteLocale) -> String {
        locale.choose(zhTW: nameZH, en: nameEN)
    }
}

extension Library: BilingualName {}
extension ServiceDesk: BilingualName {}
extension PartnerService: BilingualName {}
