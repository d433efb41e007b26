import Foundation
import OneCardDomain
import PersonalDataVault

/// What the audit trail is narrowed to (issue #14 item 5), as the links of the page carry it.
///
/// A subject typed by a person (a card number or an ID number) travels only sealed: the form is posted, and
/// the address it redirects to, its paging and its download links hold `sealed:<envelope>`, never the
/// number, so no browser history, proxy or access log keeps an ID number in clear. A subject reached by a
/// link from a row is the record itself (`patron:<uuid>`).
struct AuditTrailFilter: Sendable, Equatable {
    enum Subject: Sendable, Equatable {
        /// What staff typed (card, application or ID number), to be found through the patrons' columns and
        /// the ID number's blind index.
        case typed(String)
        /// A record named by the trail itself: `patron`, `group_batch` … and its id.
        case record(type: String, id: String)
    }

    enum LibraryChoice: Sendable, Equatable {
        /// Every entry (the consortium administrator only).
        case all
        /// Entries that belong to no library: command-line and consortium-wide work.
        case consortium
        case library(code: String)
    }

    /// The raw values of a form or of a link's query, each as typed.
    struct Input: Sendable {
        var from = ""
        var to = ""
        var actor = ""
        var action = ""
        var subject = ""
        var library = ""
    }

    static let subjectContext = "audit-trail.subject"
    static let longestActor = 200
    static let longestSubject = 40

    var from: CalendarDay?
    var to: CalendarDay?
    var actor: String?
    var action: String?
    var subject: Subject?
    var library: LibraryChoice

    /// `input` checked field by field; a field's error is the localization key of its message. `typedSubject`
    /// is true for the posted form (the subject as typed) and false for a link (the subject sealed or a record).
    static func validated(_ input: Input, typedSubject: Bool, actionCodes: Set<String>, mayChooseLibrary: Bool,
                          ownLibraryCode: String, vault: PersonalDataVault) -> Result<AuditTrailFilter, FieldErrors> {
        var errors: [String: String] = [:]
        func day(_ text: String, _ field: String) -> CalendarDay? {
            let text = text.trimmingCharacters(in: .whitespaces)
            guard !text.isEmpty else { return nil }
            guard text.count == 10, let day = CalendarDay(iso: text) else {
                errors[field] = "staff.audit.error.\(field)"
                return nil
            }
            return day
        }
        let from = day(input.from, "from"), to = day(input.to, "to")
        if let from, let to, to < from { errors["to"] = "staff.audit.error.range" }

        let actor = input.actor.trimmingCharacters(in: .whitespacesAndNewlines)
        if actor.count > longestActor { errors["actor"] = "staff.audit.error.actor" }

        let action = input.action.trimmingCharacters(in: .whitespaces)
        if !action.isEmpty, !actionCodes.contains(action) { errors["action"] = "staff.audit.error.action" }

        var subject: Subject?
        let subjectText = input.subject.trimmingCharacters(in: .whitespacesAndNewlines)
        if !subjectText.isEmpty {
            subject = typedSubject ? typed(subjectText) : linked(subjectText, vault: vault)
            if subject == nil { errors["subject"] = "staff.audit.error.subject" }
        }

        let library: LibraryChoice
        switch input.library.trimmingCharacters(in: .whitespaces) {
        case "": library = mayChooseLibrary ? .all : .library(code: ownLibraryCode)
        case "all": library = .all
        case "none": library = .consortium
        case let code: library = .library(code: code.uppercased())
        }
        if !mayChooseLibrary, library != .library(code: ownLibraryCode) { errors["library"] = "staff.audit.error.library" }

        guard errors.isEmpty else { return .failure(FieldErrors(keys: errors)) }
        return .success(AuditTrailFilter(from: from, to: to, actor: actor.isEmpty ? nil : actor, action: action.isEmpty ? nil : action,
                                         subject: subject, library: library))
    }

    /// A card, application or ID number as typed: letters and digits, spaces and dashes ignored.
    private static func typed(_ text: String) -> Subject? {
        let normalized = IdentityNumber.normalize(text).filter { $0 != "-" }
        guard (4...longestSubject).contains(normalized.count), normalized.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) })
        else { return nil }
        return .typed(normalized)
    }

    /// `sealed:<envelope>` (opened with the vault) or `<type>:<id>` of a record.
    private static func linked(_ text: String, vault: PersonalDataVault) -> Subject? {
        guard let colon = text.firstIndex(of: ":") else { return nil }
        let type = String(text[..<colon]), value = String(text[text.index(after: colon)...])
        if type == "sealed" {
            return (try? vault.open(value, context: subjectContext)).flatMap(typed)
        }
        guard !type.isEmpty, type.count <= 40, type.allSatisfy({ $0.isASCII && ($0.isLowercase || $0 == "_") }),
              !value.isEmpty, value.count <= 64, value.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") })
        else { return nil }
        return .record(type: type, id: value)
    }

    /// The query of a link that keeps this filter (a typed subject sealed afresh), without `?`.
    func query(vault: PersonalDataVault) throws -> [(String, String)] {
        var items: [(String, String)] = []
        if let from { items.append(("from", from.iso)) }
        if let to { items.append(("to", to.iso)) }
        if let actor { items.append(("actor", actor)) }
        if let action { items.append(("action", action)) }
        switch subject {
        case .typed(let text)?: items.append(("subject", "sealed:" + (try vault.seal(text, context: Self.subjectContext))))
        case .record(let type, let id)?: items.append(("subject", "\(type):\(id)"))
        case nil: break
        }
        switch library {
        case .all: items.append(("library", "all"))
        case .consortium: items.append(("library", "none"))
        case .library(let code): items.append(("library", code))
        }
        return items
    }

    /// The filter as the audit entry of a look or a download records it: never what was typed as a subject
    /// (it may be an ID number), only the records it was found to be.
    func details(subjectRecords: [String]?) -> [String: String] {
        var details: [String: String] = [:]
        if let from { details["from"] = from.iso }
        if let to { details["to"] = to.iso }
        if let actor { details["actor"] = actor }
        if let action { details["action"] = action }
        if let subjectRecords { details["subject"] = subjectRecords.isEmpty ? "none found" : subjectRecords.joined(separator: " ") }
        switch library {
        case .all: details["library"] = "all"
        case .consortium: details["library"] = "none"
        case .library(let code): details["library"] = code
        }
        return details
    }

    /// `name=value&…`, each value percent-encoded for a query.
    static func queryString(_ items: [(String, String)]) -> String {
        let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-._~:@"))
        return items.map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")" }.joined(separator: "&")
    }

    /// A field's error keys, as `validated` found them.
    struct FieldErrors: Error, Sendable {
        let keys: [String: String]
    }
}
