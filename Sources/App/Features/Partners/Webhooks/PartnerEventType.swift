import Crypto
import Fluent
import Foundation
import Vapor

/// What a partner library's system is told about a reader who linked their card with it.
enum PartnerEventType: String, Codable, Sendable {
    /// The reader agreed to the partner's consent statement and the link is active.
    case linkCreated = "link.created"
    /// The reader withdrew the consent (停用); the partner should stop using the data.
    case linkWithdrawn = "link.withdrawn"
    /// Name, contact details or card status changed.
    case patronUpdated = "patron.updated"
    /// The reader's data was erased at their request; the partner should erase its copy.
    case patronErased = "patron.erased"
    /// A desk suspended the card (停權): the partner should refuse loans and holds until it is reinstated.
    case patronSuspended = "patron.suspended"
    /// A desk reinstated a suspended card (復權).
    case patronReinstated = "patron.reinstated"
}
