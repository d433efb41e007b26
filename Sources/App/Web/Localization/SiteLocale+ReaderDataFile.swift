import ReaderDataFile

extension SiteLocale {
    /// The language of a reader data file (template, returned file, summary) for a page in this locale.
    var readerDataFileLocale: ReaderDataFileLocale {
        choose(zhTW: .zhTW, en: .en)
    }
}
