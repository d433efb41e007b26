import Fluent
import Foundation
import OneCardDomain

extension ConsentDocumentPage.Model {
    /// `typed` keeps what the administrator typed when a save was refused; otherwise the form starts from
    /// the draft, or from the newest version's words.
    static func query(code: String, staff: StaffMember, typed: FormState?, notice: String?, locale: SiteLocale,
                      localizer: Localizer, now: Date, on database: any Database) async throws -> Self {
        let publication = ConsentPublication(database: database, now: now)
        let versions = try await publication.versions(of: code)
        let owner = try await publication.owner(of: code)
        let draft = try await publication.draft(of: code)
        let inForce = versions.first { $0.isInForce(at: now) }?.version
        let next = versions[0].version + 1
        var form = typed ?? FormState()
        if typed == nil {
            let start = draft?.text ?? ConsentText(titleZH: versions[0].titleZH, titleEN: versions[0].titleEN,
                                                   bodyZH: versions[0].bodyZH, bodyEN: versions[0].bodyEN)
            form.values = ["titleZH": start.titleZH, "titleEN": start.titleEN, "bodyZH": start.bodyZH, "bodyEN": start.bodyEN,
                           "requiresRenewedConsent": draft?.requiresRenewedConsent == true ? "yes" : "",
                           "effectiveDate": CalendarDay(date: now, timeZone: .taipei).iso]
        }
        let ownerName: String = switch owner {
        case .library(let libraryCode): try await Library.require(code: libraryCode, on: database).name(in: locale)
        case .consortium: localizer.text("consents.owner.consortium", locale)
        }
        return Self(
            code: code, title: versions[0].title(in: locale), owner: ownerName, mine: owner.admits(staff),
            versions: versions.map { document in
                Version(version: document.version,
                        zh: ConsentStatement(title: document.titleZH, body: document.bodyZH),
                        en: ConsentStatement(title: document.titleEN, body: document.bodyEN),
                        published: DisplayTime.minute(document.publishedAt, in: locale),
                        effective: DisplayTime.day(CalendarDay(date: document.effectiveAt ?? document.publishedAt, timeZone: .taipei), in: locale),
                        inForce: document.version == inForce, upcoming: !document.isInForce(at: now),
                        renewedConsent: document.requiresRenewedConsent,
                        previewPath: SiteURL.staffConsentPreview(code: .value(code), version: .value(document.version)).path)
            },
            nextVersion: next, hasDraft: draft != nil, form: form,
            savePath: SiteURL.staffConsentVersion(code: .value(code), version: .value(next)).path,
            previewPath: SiteURL.staffConsentPreview(code: .value(code), version: .value(next)).path,
            publishPath: SiteURL.staffConsentPublish(code: .value(code), version: .value(next)).path,
            notice: notice)
    }
}
