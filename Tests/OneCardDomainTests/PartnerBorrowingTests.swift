import Testing
@testable import OneCardDomain

@Suite("Borrowing at a partner library")
struct PartnerBorrowingTests {
    @Test("Only a physical card in good standing may borrow at a partner")
    func onlyAPhysicalCardInGoodStandingMayBorrow() {
        #expect(PartnerBorrowing.mayBorrow(standing: .good, isPhysicalCard: true))
        #expect(!PartnerBorrowing.mayBorrow(standing: .good, isPhysicalCard: false))
        #expect(!PartnerBorrowing.mayBorrow(standing: .expired, isPhysicalCard: true))
        #expect(!PartnerBorrowing.mayBorrow(standing: .suspended, isPhysicalCard: true))
        #expect(!PartnerBorrowing.mayBorrow(standing: nil, isPhysicalCard: true))
    }
}
