import Fluent
import Foundation
import OneCardDomain

/// A row left out of a batch, for the contact: the row of their file, the name in it, and why.
struct GroupLeftOutRow: Codable, Sendable, Equatable {
    let row: Int
    let name: String
    /// `already_holds_card` or `already_in_batch`.
    let code: String
}
