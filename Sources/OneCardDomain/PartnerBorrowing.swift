/// What a partner library's system is told it may do with a reader's card.
public enum PartnerBorrowing {
    /// Borrowing physical items needs a card in good standing that a desk has seen the holder's ID for:
    /// a digital card (數位借閱證) opens e-resources only, until a desk upgrades it. `standing` is nil for
    /// a card that is not active.
    public static func mayBorrow(standing: CardStanding?, isPhysicalCard: Bool) -> Bool {
        standing == .good && isPhysicalCard
    }
}
