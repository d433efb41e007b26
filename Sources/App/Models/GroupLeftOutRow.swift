import Fluent
import Foundation
import OneCardDomain

/// A row left out of a batch, for the contact: the row of their file, the name in it, and why.
struct GroupLeftOutRow: Codable, Sendable, Equatable {
    let row: Int
    let name: String
    /// `already_registered` (someone registered in the consortium, or in another organization's batch),
    /// `already_in_batch` (in one of this organization's unfinished batches); files received before
    /// issue #12 item 2 may also say `already_holds_card`.
    let code: String

    static let alreadyRegistered = "already_registered"
    static let alreadyInBatch = "already_in_batch"
}
