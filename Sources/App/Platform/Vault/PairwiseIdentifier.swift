import Foundation
import PersonalDataVault

/// An identifier of a card holder that differs for every party that receives one (a vendor's API client,
/// an EZproxy host), so two vendors cannot tell that their users are the same person, and that says
/// nothing of the card or ID number. It is the vault's keyed blind index of the patron's id and the
/// party: stable across restarts and instances, unguessable without the key.
enum PairwiseIdentifier {
    static let context = "pairwise_identifier"

    /// 32 hex digits (128 bits of the HMAC).
    static func make(patron: UUID, audience: String, vault: PersonalDataVault) -> String {
        String(vault.blindIndex("\(audience)\u{0}\(patron.uuidString)", context: context).prefix(32))
    }
}
