import Fluent
import Foundation
import OneCardDomain

/// Issue #14 item 6, libraries: an administrator keeps their own library's service desks (add, rename,
/// close) and chooses which partner services it offers its readers; the consortium administrator adds
/// member libraries. Each change is audited and drops the cached directory (`ConsortiumDirectory`), so the
/// home page and `/api/v1/libraries` show it at once. Names and codes are unique by database constraints;
/// the checks here only give the person a message beside the field instead of a constraint error.
struct LibraryAdministration {
    let database: any Database
    let directory: ConsortiumDirectory
    let now: Date

    /// What a desk or library is called, as typed on the form.
    struct Names {
        var zh: String
        var en: String
    }

    /// A new member library, as typed on the consortium administrator's form.
    struct NewLibrary {
        var code: String
        var names: Names
        var cardPrefix: String
    }

    static let maximumNameLength = 60
    /// The first desk a new member library gets, so it has somewhere to complete applications from the
    /// start; its administrator renames it or adds others.
    static let firstDesk = (code: "MAIN", names: Names(zh: "總館", en: "Main Library"))

    // MARK: Service desks

    func addDesk(code rawCode: String, names rawNames: Names, to libraryID: UUID, by actor: AuditActor) async throws -> ServiceDesk {
        let code = Self.code(rawCode)
        let names = Self.trimmed(rawNames)
        var errors = Self.codeErrors(code, field: "code") + Self.nameErrors(names)
        if errors.isEmpty {
            if try await ServiceDesk.query(on: database).filter(\.$library.$id == libraryID).filter(\.$code == code).count() > 0 {
                errors.append(FieldError(field: "code", code: "desk_code_taken"))
            }
            errors += try await deskNameErrors(names, libraryID: libraryID, except: nil, on: database)
        }
        guard errors.isEmpty else { throw LibraryAdministrationError.invalid(errors) }
        let desk = ServiceDesk(libraryID: libraryID, code: code, nameZH: names.zh, nameEN: names.en, position: 0)
        try await saving(onTaken: [FieldError(field: "code", code: "desk_code_taken")]) {
            try await database.transaction { db in
                desk.position = (try await ServiceDesk.query(on: db).filter(\.$library.$id == libraryID).max(\.$position) ?? -1) + 1
                try await desk.create(on: db)
                try await AuditTrail.record("service_desk.added", by: actor, subject: ("service_desk", desk.requireID().uuidString),
                                            libraryID: libraryID, details: ["code": code, "nameZH": names.zh, "nameEN": names.en],
                                            at: now, on: db)
            }
        }
        return desk
    }

    func renameDesk(_ deskID: UUID, names rawNames: Names, in libraryID: UUID, by actor: AuditActor) async throws {
        let desk = try await self.desk(deskID, in: libraryID)
        let names = Self.trimmed(rawNames)
        var errors = Self.nameErrors(names)
        if errors.isEmpty { errors = try await deskNameErrors(names, libraryID: libraryID, except: deskID, on: database) }
        guard errors.isEmpty else { throw LibraryAdministrationError.invalid(errors) }
        let before = (zh: desk.nameZH, en: desk.nameEN)
        guard before.zh != names.zh || before.en != names.en else { return }
        desk.nameZH = names.zh
        desk.nameEN = names.en
        try await saving(onTaken: [FieldError(field: "nameZH", code: "desk_name_zh_taken")]) {
            try await database.transaction { db in
                try await desk.save(on: db)
                try await AuditTrail.record("service_desk.renamed", by: actor, subject: ("service_desk", deskID.uuidString),
                                            libraryID: libraryID,
                                            details: ["code": desk.code, "fromZH": before.zh, "fromEN": before.en, "nameZH": names.zh, "nameEN": names.en],
                                            at: now, on: db)
            }
        }
    }

    /// Closes a desk: it is no longer named as a place to complete an application. Applications are the
    /// library's, not a desk's (any of its desks completes one), so none waits at the closed desk and none
    /// is moved or cancelled. The last open desk cannot be closed: the library's applicants would have
    /// nowhere to go.
    func closeDesk(_ deskID: UUID, in libraryID: UUID, by actor: AuditActor) async throws {
        try await database.transaction { db in
            guard let desk = try await ServiceDesk.query(on: db).filter(\.$id == deskID).filter(\.$library.$id == libraryID).first(),
                  let closure = try await ServiceDeskClosure.find(deskID, on: db), closure.closedAt == nil
            else { throw OneCardError.notFound }
            let open = try await ServiceDeskClosure.query(on: db).filter(\.$libraryID == libraryID).filter(\.$closedAt == nil).count()
            guard open > 1 else { throw LibraryAdministrationError.invalid([FieldError(field: "desk", code: "last_open_desk")]) }
            closure.closedAt = now
            try await closure.save(on: db)
            try await AuditTrail.record("service_desk.closed", by: actor, subject: ("service_desk", deskID.uuidString),
                                        libraryID: libraryID, details: ["code": desk.code], at: now, on: db)
        }
        directory.invalidate()
    }

    /// Opens a closed desk again (a branch back from renovation): it is named again where applicants are
    /// told where to complete their application and in the directory. Nothing else changes: applications
    /// belong to the library, not to a desk, so none was moved when it closed and none moves back.
    func reopenDesk(_ deskID: UUID, in libraryID: UUID, by actor: AuditActor) async throws {
        try await database.transaction { db in
            guard let desk = try await ServiceDesk.query(on: db).filter(\.$id == deskID).filter(\.$library.$id == libraryID).first(),
                  let closure = try await ServiceDeskClosure.find(deskID, on: db), closure.closedAt != nil
            else { throw OneCardError.notFound }
            closure.closedAt = nil
            try await closure.save(on: db)
            try await AuditTrail.record("service_desk.reopened", by: actor, subject: ("service_desk", deskID.uuidString),
                                        libraryID: libraryID, details: ["code": desk.code], at: now, on: db)
        }
        directory.invalidate()
    }

    // MARK: Partner services

    /// Offers the one-card service with `partnerCode` (another member library) to the library's readers:
    /// a service withdrawn before is offered again, else a new one is added after the others. Readers
    /// enable it by agreeing to the partner's link statement (`<CODE>_LINK`), so one must be published first.
    func offer(partnerCode rawCode: String, by libraryID: UUID, actor: AuditActor) async throws {
        let code = Self.code(rawCode)
        if let service = try await PartnerService.query(on: database).filter(\.$library.$id == libraryID).filter(\.$code == code).first() {
            guard let existing = try await PartnerServiceWithdrawal.find(service.requireID(), on: database), existing.withdrawnAt != nil
            else { return }
            existing.withdrawnAt = nil
            try await saving(onTaken: []) {
                try await database.transaction { db in
                    try await existing.save(on: db)
                    try await AuditTrail.record("partner_service.offered", by: actor, subject: ("partner_service", existing.requireID().uuidString),
                                                libraryID: libraryID, details: ["partner": code], at: now, on: db)
                }
            }
            return
        }
        guard let partner = try await Library.query(on: database).filter(\.$code == code).first(),
              try partner.requireID() != libraryID
        else { throw LibraryAdministrationError.invalid([FieldError(field: "partner", code: "partner_unknown")]) }
        guard try await ConsentDocument.query(on: database).filter(\.$code == "\(code)_LINK").count() > 0 else {
            throw LibraryAdministrationError.invalid([FieldError(field: "partner", code: "partner_statement_missing")])
        }
        try await saving(onTaken: [FieldError(field: "partner", code: "partner_offered")]) {
            try await database.transaction { db in
                let position = (try await PartnerService.query(on: db).filter(\.$library.$id == libraryID).max(\.$position) ?? -1) + 1
                let service = PartnerService(libraryID: libraryID, code: code, kind: .partnerLibrary, partnerLibraryID: try partner.requireID(),
                                             nameZH: "啟用\(partner.nameZH)一證通用服務", nameEN: "One-card service with \(partner.nameEN)",
                                             position: position)
                try await service.create(on: db)
                try await AuditTrail.record("partner_service.offered", by: actor, subject: ("partner_service", service.requireID().uuidString),
                                            libraryID: libraryID, details: ["partner": code], at: now, on: db)
            }
        }
    }

    /// Stops offering a service: readers can no longer enable it. Links already made stay, with the
    /// consent behind them, until each reader ends theirs (their page still lists the service for that);
    /// ending them here would withdraw consents the readers gave and tell the partner, which is the
    /// reader's choice, not the library's.
    func withdraw(_ serviceID: UUID, by libraryID: UUID, actor: AuditActor) async throws {
        try await database.transaction { db in
            guard let service = try await PartnerService.query(on: db).filter(\.$id == serviceID).filter(\.$library.$id == libraryID).first(),
                  let withdrawal = try await PartnerServiceWithdrawal.find(serviceID, on: db), withdrawal.withdrawnAt == nil
            else { throw OneCardError.notFound }
            withdrawal.withdrawnAt = now
            try await withdrawal.save(on: db)
            try await AuditTrail.record("partner_service.withdrawn", by: actor, subject: ("partner_service", serviceID.uuidString),
                                        libraryID: libraryID, details: ["partner": service.code], at: now, on: db)
        }
        directory.invalidate()
    }

    // MARK: Member libraries (the consortium administrator)

    /// Adds a member library after the others, with its first desk (`firstDesk`).
    func addLibrary(_ typed: NewLibrary, by actor: AuditActor) async throws -> Library {
        let code = Self.code(typed.code)
        let names = Self.trimmed(typed.names)
        let prefix = typed.cardPrefix.trimmingCharacters(in: .whitespaces)
        var errors = Self.codeErrors(code, field: "code") + Self.nameErrors(names)
        if !(prefix.count == 4 && prefix.allSatisfy { $0.isASCII && $0.isNumber }) {
            errors.append(FieldError(field: "cardPrefix", code: "card_prefix_invalid"))
        }
        if errors.isEmpty {
            if try await Library.query(on: database).filter(\.$code == code).count() > 0 {
                errors.append(FieldError(field: "code", code: "library_code_taken"))
            }
            if try await Library.query(on: database).filter(\.$nameZH == names.zh).count() > 0 {
                errors.append(FieldError(field: "nameZH", code: "library_name_zh_taken"))
            }
            if try await Library.query(on: database).filter(\.$nameEN == names.en).count() > 0 {
                errors.append(FieldError(field: "nameEN", code: "library_name_en_taken"))
            }
            if try await Library.query(on: database).filter(\.$cardPrefix == prefix).count() > 0 {
                errors.append(FieldError(field: "cardPrefix", code: "card_prefix_taken"))
            }
        }
        guard errors.isEmpty else { throw LibraryAdministrationError.invalid(errors) }
        let library = Library(code: code, nameZH: names.zh, nameEN: names.en, cardPrefix: prefix, position: 0)
        try await saving(onTaken: [FieldError(field: "code", code: "library_code_taken")]) {
            try await database.transaction { db in
                library.position = (try await Library.query(on: db).max(\.$position) ?? -1) + 1
                try await library.create(on: db)
                let libraryID = try library.requireID()
                try await ServiceDesk(libraryID: libraryID, code: Self.firstDesk.code, nameZH: Self.firstDesk.names.zh,
                                      nameEN: Self.firstDesk.names.en, position: 0).create(on: db)
                try await AuditTrail.record("library.added", by: actor, subject: ("library", libraryID.uuidString), libraryID: libraryID,
                                            details: ["code": code, "nameZH": names.zh, "nameEN": names.en, "cardPrefix": prefix],
                                            at: now, on: db)
            }
        }
        return library
    }

    // MARK: Checks

    /// A desk of `libraryID`, or "not found" for another library's desk or an unknown id.
    func desk(_ deskID: UUID, in libraryID: UUID) async throws -> ServiceDesk {
        guard let desk = try await ServiceDesk.query(on: database).filter(\.$id == deskID).filter(\.$library.$id == libraryID).first()
        else { throw OneCardError.notFound }
        return desk
    }

    /// Runs a write and drops the directory after it; a unique constraint that another request won first
    /// comes back as `taken`, beside its field.
    private func saving(onTaken taken: [FieldError], _ write: () async throws -> Void) async throws {
        do {
            try await write()
        } catch let error as any DatabaseError where error.isConstraintFailure {
            throw LibraryAdministrationError.invalid(taken.isEmpty ? [FieldError(field: "form", code: "taken")] : taken)
        }
        directory.invalidate()
    }

    private func deskNameErrors(_ names: Names, libraryID: UUID, except deskID: UUID?, on db: any Database) async throws -> [FieldError] {
        func others() -> QueryBuilder<ServiceDesk> {
            let query = ServiceDesk.query(on: db).filter(\.$library.$id == libraryID)
            return deskID.map { query.filter(\.$id != $0) } ?? query
        }
        var errors: [FieldError] = []
        if try await others().filter(\.$nameZH == names.zh).count() > 0 { errors.append(FieldError(field: "nameZH", code: "desk_name_zh_taken")) }
        if try await others().filter(\.$nameEN == names.en).count() > 0 { errors.append(FieldError(field: "nameEN", code: "desk_name_en_taken")) }
        return errors
    }

    static func code(_ typed: String) -> String { typed.trimmingCharacters(in: .whitespaces).uppercased() }

    static func trimmed(_ names: Names) -> Names {
        Names(zh: names.zh.trimmingCharacters(in: .whitespacesAndNewlines), en: names.en.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// 2 to 12 letters A–Z and digits, starting with a letter: codes appear in URLs, the CLI and partner APIs.
    static func codeErrors(_ code: String, field: String) -> [FieldError] {
        let valid = (2...12).contains(code.count) && code.first.map { $0.isASCII && $0.isLetter } == true
            && code.allSatisfy { $0.isASCII && ($0.isUppercase || $0.isNumber) }
        return valid ? [] : [FieldError(field: field, code: "code_invalid")]
    }

    static func nameErrors(_ names: Names) -> [FieldError] {
        var errors: [FieldError] = []
        if names.zh.isEmpty { errors.append(FieldError(field: "nameZH", code: "name_zh_required")) }
        else if names.zh.count > maximumNameLength { errors.append(FieldError(field: "nameZH", code: "name_zh_too_long")) }
        if names.en.isEmpty { errors.append(FieldError(field: "nameEN", code: "name_en_required")) }
        else if names.en.count > maximumNameLength { errors.append(FieldError(field: "nameEN", code: "name_en_too_long")) }
        return errors
    }
}
