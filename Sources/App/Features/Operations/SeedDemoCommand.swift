import Fluent
import OneCardDomain
import Vapor

/// `onecard seed-demo`: demo staff (one per role), readers with active cards, and an API client, made
/// through the same services as real ones; prints what it made as one JSON object.
struct SeedDemoCommand: AsyncCommand {
    struct Signature: CommandSignature {}
    var help: String { "Adds demo data and prints it as JSON" }

    struct Output: Encodable {
        struct Staff: Encodable { let email, password, role, library: String }
        struct Reader: Encodable { let name, cardNumber, idNumber, password, library: String }
        struct Client: Encodable { let name, token, library, scopes: String }
        struct SIP2Account: Encodable { let user, password, institution: String }
        let staff: [Staff]
        let readers: [Reader]
        let apiClients: [Client]
        let sip2Accounts: [SIP2Account]
    }

    static func randomPassword() -> String {
        let words = ["river", "lantern", "mango", "harbor", "typhoon", "jade", "orchid", "bamboo", "kite", "tea", "cloud", "bridge"]
        return (0..<4).map { _ in words.randomElement()! }.joined(separator: "-") + String(Int.random(in: 10...99))
    }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        let now = app.clock.now()
        let run = String(Int(now.timeIntervalSince1970), radix: 36)
        var staff: [Output.Staff] = []
        var members: [StaffMember] = []
        let library = try await Library.require(code: "TPML", on: app.db)
        // A library's roles; the consortium administrator (OpenID Connect clients) is made with `staff create` when needed.
        for role in StaffMember.Role.allCases where role != .consortiumAdmin {
            let email = "demo-\(role.rawValue)-\(run)@tpml.example"
            let password = Self.randomPassword()
            let member = StaffMember(libraryID: try library.requireID(), email: email, role: role)
            member.passwordHash = try await app.passwordHashing.hash(password)
            try await member.create(on: app.db)
            members.append(member)
            staff.append(.init(email: email, password: password, role: role.rawValue, library: library.code))
        }
        // The libraries' real consent texts, published as an administrator would, before the demo readers agree to them.
        for (code, text) in PublishedLibraryTexts.all {
            try await ConsentPublication(database: app.db, now: now).publishIfNew(text, code: code, by: .system("seed-demo"))
        }
        var readers: [Output.Reader] = []
        let documents = try await [ConsentDocument.current("TPML_PRIVACY", at: now, on: app.db), ConsentDocument.current("TAIPEI_CITY_ID", at: now, on: app.db)]
        for (index, name) in ["王小明", "陳美玲"].enumerated() {
            let letters = Array("ABCDEFGHJKLMNPQRSTUVXYWZIO")
            let idNumber = IdentityNumber.makeValid(
                firstLetter: letters.randomElement()!, second: index == 0 ? "1" : "2",
                middle: String(format: "%07d", Int.random(in: 0...9_999_999)))
            let password = Self.randomPassword()
            var input = CardApplicationInput()
            input.cardType = "personal"
            input.documentKind = "nationalID"
            input.idNumber = idNumber
            input.name = name
            input.gender = index == 0 ? "male" : "female"
            input.birthDate = index == 0 ? "1990-05-03" : "2001-11-20"
            input.password = password
            input.passwordConfirmation = password
            input.email = "reader\(index + 1)-\(run)@example.org"
            let outbox = Outbox(localizer: app.localizer, settings: app.settings, vault: app.vault, now: now)
            let applications = CardApplicationService(
                database: app.db, vault: app.vault, outbox: outbox, passwordPolicy: app.passwordPolicy,
                passwordHasher: app.passwordHashing, pendingApplicationLifetimeDays: app.settings.pendingApplicationLifetimeDays, now: now)
            let submitted = try await applications.submit(
                input, libraryCode: library.code, consentedDocuments: documents, channel: "desk",
                locale: .zhTW, actor: .system("seed-demo"), limits: .api(clientID: nil))
            try await CardActivationService(vault: app.vault, outbox: outbox, now: now).activate(
                submitted.patron, documentChecked: true, easyCard: "", by: members[0], ipAddress: nil, on: app.db)
            readers.append(.init(name: name, cardNumber: submitted.patron.cardNumber ?? "", idNumber: idNumber,
                                 password: password, library: library.code))
        }
        // Every scope, so that one demo token tries every API route (a real client gets only what it needs).
        let demoScopes = Set(APIScope.allCases)
        let token = try await APIClients.create(name: "Demo kiosk \(run)", libraryCode: library.code, scopes: demoScopes,
                                                alternateIdentifiers: true, database: app.db, now: now)
        let sip2 = try await app.sip2Accounts.create(
            user: "demo-sip2-\(run)", libraryCode: library.code, institution: nil, allowedAddresses: "", encoding: "utf8",
            personalData: true, alternateIDs: true, errorDetection: true)
        let output = Output(staff: staff, readers: readers,
                            apiClients: [.init(name: "Demo kiosk \(run)", token: token, library: library.code,
                                                          scopes: APIScope.text(demoScopes))],
                            sip2Accounts: [.init(user: sip2.user, password: sip2.password, institution: sip2.institution)])
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        context.console.output(String(decoding: try encoder.encode(output), as: UTF8.self).consoleText())
    }
}
