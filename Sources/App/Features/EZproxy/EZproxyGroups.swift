import Fluent
import Foundation

/// The EZproxy group of a card holder: the card's library and kind, e.g. `TPML-physical` or `NLPI-digital`.
/// EZproxy's own configuration then says which databases each group opens (`Group` lines in config.txt);
/// OneCard sends one group per ticket and `AcceptGroups` lists every group a host may receive.
enum EZproxyGroups {
    static func group(libraryCode: String, cardKind: Patron.CardKind) -> String {
        "\(libraryCode)-\(cardKind.rawValue)"
    }

    /// Every group a host of `libraryID` can receive: its own library's, and those of the libraries whose
    /// readers can link it (a partner service names it), each with both card kinds.
    static func possible(forLibrary libraryID: UUID, on database: any Database) async throws -> [String] {
        let own = try await Library.find(libraryID, on: database)
        let linking = try await PartnerService.query(on: database).filter(\.$partnerLibrary.$id == libraryID).with(\.$library).all()
            .map(\.library.code)
        let codes = ([own?.code].compactMap { $0 } + linking.sorted()).reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
        return codes.flatMap { code in [Patron.CardKind.physical, .digital].map { group(libraryCode: code, cardKind: $0) } }
    }
}
