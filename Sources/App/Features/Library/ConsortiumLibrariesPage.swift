import Fluent

/// `/staff/libraries`: the consortium's member libraries in order, and the form for a new one.
struct ConsortiumLibrariesPage: Encodable {
    struct Row: Encodable {
        let code: String
        let nameZH: String
        let nameEN: String
        let cardPrefix: String
        /// Its open service desks, by name in the page's language.
        let desks: String
    }

    let rows: [Row]
    var form = FormState()
    /// The code of the library just added.
    var added: String? = nil

    static func query(locale: SiteLocale, on database: any Database) async throws -> Self {
        let libraries = try await Library.query(on: database).with(\.$desks).sort(\.$position).all()
        let closed = try await ServiceDeskClosure.closedIDs(on: database)
        return Self(rows: libraries.map { library in
            Row(code: library.code, nameZH: library.nameZH, nameEN: library.nameEN, cardPrefix: library.cardPrefix,
                desks: library.desks.filter { !closed.contains($0.id!) }.sorted { $0.position < $1.position }.map { $0.name(in: locale) }
                    .joined(separator: locale.choose(zhTW: "、", en: ", ")))
        })
    }
}
