import Fluent
import Foundation
import OneCardDomain
import PersonalDataVault

extension ReaderAccountPage.Model {
    /// The page of `patron` (loaded with its library) in `locale`; `notice` is the raw `?notice=` value.
    static func query(patron: Patron, notice: String?, locale: SiteLocale, localizer: Localizer, vault: PersonalDataVault,
                      on database: any Database) async throws -> Self {
        let id = try patron.requireID()
        let idNumber = try patron.idNumberSealed.map { try vault.open($0, context: CardApplicationService.idNumberContext) }
        let kind = patron.documentKind.flatMap(IdentityDocumentKind.init(rawValue:))
        let masked = idNumber.flatMap { try? IdentityNumber.parse($0, as: kind, issuingCountry: patron.passportCountry).get().masked } ?? "—"
        let records = try await ConsentRecord.query(on: database).filter(\.$patron.$id == id).with(\.$document).sort(\.$givenAt).all()
        let links = try await PartnerLink.query(on: database).filter(\.$patron.$id == id).filter(\.$status == .active)
            .with(\.$partnerService).all()
        let pending = try await PatronRequest.query(on: database).filter(\.$patron.$id == id).filter(\.$status == .pending).all()
        return Self(
            name: patron.name, cardNumber: patron.cardNumber ?? "", maskedID: masked, birthDate: patron.birthDate,
            library: patron.library.name(in: locale), email: patron.email, mobile: patron.mobile,
            partners: links.map { $0.partnerService.name(in: locale) },
            consents: records.map {
                .init(id: $0.id!.uuidString, title: $0.document.title(in: locale), version: $0.document.version,
                      givenAt: DisplayTime.minute($0.givenAt, in: locale), withdrawn: $0.withdrawnAt != nil,
                      endsCard: $0.document.code.hasSuffix("_PRIVACY"),
                      withdrawPath: SiteURL.accountConsentWithdraw(id: .value($0.id!)).path)
            },
            notice: notice.flatMap { ReaderAccountPage.notices.contains($0) ? localizer.text("reader.account.notice.\($0)", locale) : nil },
            pendingRequests: pending.map { localizer.text("reader.account.pending.\($0.kind.rawValue)", locale) })
    }
}
