import Foundation

extension ReaderDataDownload {
/// 下載我的資料 as a page (issue #17 item 8): everything in the JSON file, under headings and labels in the
/// reader's language, codes shown as words where the site has words for them, times on Taipei's clock.
struct Page: Encodable {
    struct Fact: Encodable { let label: String, value: String }
    struct Group: Encodable { let title: String, facts: [Fact] }
    struct Table: Encodable {
        let title: String, headers: [String], rows: [[String]], empty: String
    }

    let exportedAt: String
    let groups: [Group]
    let tables: [Table]

    init(_ data: Model, library: Library, localizer: Localizer, locale: SiteLocale) {
        func t(_ key: String) -> String { localizer.text(key, locale) }
        /// The site's word for a code (`desk.status.active` → 已開通), or the code itself.
        func word(_ prefix: String, _ code: String?) -> String {
            guard let code, !code.isEmpty else { return "—" }
            return localizer.textIfPresent("\(prefix).\(code)", locale) ?? code
        }
        func text(_ value: String?) -> String { value.flatMap { $0.isEmpty ? nil : $0 } ?? "—" }
        func time(_ date: Date?) -> String { date.map(DisplayTime.minute) ?? "—" }

        exportedAt = DisplayTime.minute(data.exportedAt)
        var groups = [
            Group(title: t("reader.data.card"), facts: [
                Fact(label: t("desk.detail.card_number"), value: text(data.card.cardNumber)),
                Fact(label: t("reader.data.status"), value: word("desk.status", data.card.status)),
                Fact(label: t("reader.data.kind"), value: word("reader.card", data.card.kind)),
                Fact(label: t("apply.field.card_type"), value: word("apply.card_type", data.card.type)),
                Fact(label: t("staff.home.library"), value: "\(library.name(in: locale)) (\(data.card.library))"),
                Fact(label: t("reader.data.application_number"), value: data.card.applicationNumber),
                Fact(label: t("reader.data.applied_at"), value: time(data.card.appliedAt)),
                Fact(label: t("reader.data.activated_at"), value: time(data.card.activatedAt)),
                Fact(label: t("reader.data.valid_until"), value: text(data.card.validUntil)),
                Fact(label: t("reader.data.suspended_at"), value: time(data.card.suspendedAt)),
                Fact(label: t("reader.data.suspension_reason"), value: text(data.card.suspensionReason)),
            ]),
            Group(title: t("reader.data.person"), facts: [
                Fact(label: t("apply.field.name"), value: data.person.name),
                Fact(label: t("apply.field.document_kind"), value: word("apply.document_kind", data.person.documentKind)),
                Fact(label: t("apply.field.id_number"), value: text(data.person.idNumber)),
                Fact(label: t("apply.field.passport_country"), value: text(data.person.passportCountry)),
                Fact(label: t("apply.field.gender"), value: word("apply.gender", data.person.gender)),
                Fact(label: t("apply.field.birth_date"), value: text(data.person.birthDate)),
                Fact(label: t("apply.field.mobile"), value: text(data.person.mobile)),
                Fact(label: t("apply.field.home_phone"), value: text(data.person.homePhone)),
                Fact(label: t("apply.field.email"), value: text(data.person.email)),
                Fact(label: t("reader.data.easycard"), value: text(data.person.easyCard)),
            ]),
        ]
        if let pass = data.taipeiPass {
            groups.append(Group(title: t("reader.data.taipei_pass"), facts: [
                Fact(label: t("reader.data.issuer"), value: pass.issuer),
                Fact(label: t("reader.data.subject"), value: pass.subject),
                Fact(label: t("reader.data.linked_at"), value: time(pass.linkedAt)),
                Fact(label: t("reader.data.last_signed_in_at"), value: time(pass.lastSignedInAt)),
            ]))
        }
        self.groups = groups
        tables = [
            Table(title: t("reader.account.consents"),
                  headers: [t("reader.data.document"), t("reader.account.version"), t("reader.account.given_at"),
                            t("reader.data.channel"), t("reader.data.withdrawn_at")],
                  rows: data.consents.map { ["\($0.title) (\($0.document))", String($0.version), time($0.givenAt), $0.channel, time($0.withdrawnAt)] },
                  empty: t("reader.data.none")),
            Table(title: t("reader.data.partner_links"),
                  headers: [t("reader.data.service"), t("reader.data.status"), t("reader.data.created_at")],
                  rows: data.partnerLinks.map { [$0.service, $0.status, time($0.createdAt)] },
                  empty: t("reader.data.none")),
            Table(title: t("reader.data.access_log"),
                  headers: [t("reader.data.time"), t("reader.data.action"), t("reader.data.actor")],
                  rows: data.accessLog.map { [DisplayTime.second($0.at), $0.action, $0.actorType] },
                  empty: t("reader.data.none")),
        ]
    }
}
}
