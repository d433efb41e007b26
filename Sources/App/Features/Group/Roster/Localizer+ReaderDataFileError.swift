import ReaderDataFile

extension Localizer {
    /// Why a reader data file cannot be read, in `locale`'s words. The pure ReaderDataFile target only names
    /// the text (`messageKey`, `messageValues`); the upload page and the `roster` commands render it here.
    func text(_ error: ReaderDataFileError, _ locale: SiteLocale) -> String {
        text(error.messageKey, locale, error.messageValues)
    }
}
