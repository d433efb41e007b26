import Fluent
import FluentPostgresDriver
import FluentSQLiteDriver
import Leaf
import LeafKit
import NIOSSL
import PersonalDataVault
import Prometheus
import Vapor

/// The one composition root: settings, middleware, database, migrations, services, commands, routes.
/// The environment is read here (through `OneCardSettings.fromEnvironment`) and nowhere else.
public func configure(_ app: Application, settings given: OneCardSettings? = nil) async throws {
    let settings = try given ?? OneCardSettings.fromEnvironment(app.environment)
    app.settings = settings
    restrictNewFilesToOwner()
    if settings.usesStorage {
        try FileManager.default.createDirectory(
            atPath: settings.dataDirectory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700]
        )
        app.vault = PersonalDataVault(keyRing: try Application.loadKeyRing(settings))
    }

    // Services the middleware and routes use.
    app.localizer = try Localizer.load(from: Resources.path("Localization"))
    // Citizen digital certificates: a broken configuration stops the start, rather than refusing every applicant.
    app.citizenCertificates = CitizenCertificates(settings: settings, clock: app.clock)
    try app.citizenCertificates.reload()
    app.metricsRegistry = PrometheusCollectorRegistry()
    app.passwords.use(.bcrypt(cost: settings.bcryptCost))
    app.passwordHashingPool = PasswordHashingPool(threadCount: settings.passwordHashThreads, queueLimit: settings.passwordHashQueueLimit)
    app.lifecycle.use(PasswordHashingLifecycle())
    app.decoyPasswordHash = try PasswordHashing.decoyHash(cost: settings.bcryptCost)
    app.passwordPolicy = try Application.loadPasswordPolicy()
    app.consortiumDirectory = ConsortiumDirectory()
    app.taipeiPassProvider = settings.taipeiPass.map { OpenIDProvider(settings: $0) }
    app.oidcKeyCache = OIDCKeyCache()
    app.oidcIssuanceQueue = OIDCIssuanceQueue()
    app.auditBatchWriter = AuditBatchWriter()
    app.databaseHealthFlight = DatabaseHealthFlight()

    // Middleware, outermost first.
    app.middleware = .init()
    app.middleware.use(RouteLoggingMiddleware(logLevel: .info))
    app.middleware.use(MetricsMiddleware(registry: app.metricsRegistry))
    let taipeiPass = app.taipeiPassProvider
    app.middleware.use(SecurityHeadersMiddleware(sendsHSTS: settings.usesSecureCookies,
                                                 formActionOrigins: { taipeiPass?.formActionOrigins ?? [] }))
    app.middleware.use(ErrorPageMiddleware())
    let staticAssets = try StaticAssets.load(from: Resources.path("Public"))
    app.middleware.use(StaticAssetMiddleware(assets: staticAssets))
    app.sessions.use { _ in WebSessions() }
    app.sessions.configuration.cookieName = "onecard_session"
    let secure = settings.usesSecureCookies
    app.sessions.configuration.cookieFactory = { id in
        HTTPCookies.Value(string: id.string, maxAge: Int(WebSessions.lifetime), path: "/", isSecure: secure, isHTTPOnly: true, sameSite: .lax)
    }
    app.middleware.use(app.sessions.middleware)
    app.middleware.use(LocaleMiddleware(secureCookies: secure))
    app.middleware.use(MethodNotAllowedMiddleware())
    // Bodies: each route declares its limit (`BodyLimit`); anything else gets a small form's worth.
    app.routes.defaultMaxBodySize = ByteCount(value: BodyLimit.form.bytes)
    app.middleware.use(BodyLimitMiddleware())
    app.middleware.use(CSRFMiddleware(secureCookies: secure))

    // Database: the embedded SQLite file unless DATABASE_URL names a PostgreSQL server.
    switch settings.database {
    case .sqliteFile(let path):
        app.databases.use(.embeddedSQLite(.file(path)), as: .sqlite)
    case .sqliteMemory:
        app.databases.use(.embeddedSQLite(.memory), as: .sqlite)
    case .postgres(let url):
        var configuration = try SQLPostgresConfiguration(url: url)
        if URLComponents(string: url)?.queryItems?.contains(where: { $0.name == "sslmode" && $0.value == "require" }) == true {
            configuration.coreConfiguration.tls = .require(try NIOSSLContext(configuration: .makeClientConfiguration()))
        }
        // Four connections per event loop rather than Fluent's one: a SIP2 or partner lookup waits mostly for
        // PostgreSQL's answer, and with one connection per loop 50 SIP2 clients queued behind two (issue #13 item 2).
        app.databases.use(.postgres(configuration: configuration, maxConnectionsPerEventLoop: 4, sqlLogLevel: .debug), as: .psql)
    }
    // API clients are remembered by token hash; every change of one saved here forgets them (issue #13 item 1).
    app.apiClientCache = APIClientCache()
    app.databases.middleware.use(APIClientCacheInvalidation(cache: app.apiClientCache))

    // Migrations: one per file, in order; shipped ones are never edited.
    app.migrations.add(CreateLibrary())
    app.migrations.add(CreateServiceDesk())
    app.migrations.add(CreatePartnerService())
    app.migrations.add(SeedConsortium())
    app.migrations.add(CreateStaffMember())
    app.migrations.add(CreateAuditEvent())
    app.migrations.add(CreateOutboxMessage())
    app.migrations.add(CreateOfficialCalendarDay())
    app.migrations.add(CreateLibraryClosedDay())
    app.migrations.add(SeedOfficialCalendars())
    app.migrations.add(SessionRecord.migration)
    app.migrations.add(CreateConsentDocument())
    // Listed here, not at the end: the seed migrations below create `ConsentDocument` models, whose columns
    // it adds. A database made before it runs it after the others (Fluent runs what it has not run, in order).
    app.migrations.add(AddPublicationToConsentDocument())
    app.migrations.add(SeedConsentDocuments())
    app.migrations.add(CreatePatron())
    app.migrations.add(CreateConsentRecord())
    app.migrations.add(CreatePartnerLink())
    app.migrations.add(CreateAPIClient())
    app.migrations.add(CreateRateLimitCounter())
    app.migrations.add(CreateCardNumberCounter())
    app.migrations.add(CreateSIP2Account())
    app.migrations.add(SeedPartnerConsentDocuments())
    app.migrations.add(AddCardKindToPatron())
    app.migrations.add(CreatePasswordResetToken())
    app.migrations.add(CreatePartnerEndpoint())
    app.migrations.add(CreatePatronRequest())
    app.migrations.add(CreateDigitalCardApplication())
    app.migrations.add(CreateIdentityDocumentFile())
    app.migrations.add(SeedDigitalCardConsentDocument())
    app.migrations.add(CreateTaipeiPassIdentity())
    app.migrations.add(CreateGroupApplication())
    app.migrations.add(CreateGroupDocument())
    app.migrations.add(CreateGroupContactChange())
    app.migrations.add(CreateGroupContactToken())
    app.migrations.add(CreateGroupBatch())
    app.migrations.add(CreateGroupBatchRow())
    app.migrations.add(CreateGroupRosterUpload())
    app.migrations.add(CreatePatronActivationToken())
    app.migrations.add(AddEvidenceToConsentRecord())
    app.migrations.add(SeedGroupConsentDocument())
    app.migrations.add(CreateWebSession())
    app.migrations.add(DropFluentSessions())
    app.migrations.add(AddStandingToPatron())
    app.migrations.add(AddOwnerToWebSession())
    app.migrations.add(AddSecretsToOutboxMessages())
    app.migrations.add(AddEmptiedOnceSentToOutboxMessages())
    app.migrations.add(AddOneLetterUseToGroupRosterUploads())
    app.migrations.add(CreateSealedFile())
    app.migrations.add(CreateCaptchaChallenge())
    app.migrations.add(AddMailSettingsToLibraries())
    app.migrations.add(AddPartnersToldExpiredOnToPatron())
    app.migrations.add(AddScopesToAPIClients())
    app.migrations.add(CreateEZproxyHost())
    app.migrations.add(CreateOIDCClient())
    app.migrations.add(CreateOIDCSigningKey())
    app.migrations.add(CreateOIDCAuthorizationCode())
    app.migrations.add(CreateOIDCToken())
    app.migrations.add(AddAllowedAddressesToAPIClients())
    app.migrations.add(AddIntrospectsAnyTokenToOIDCClients())
    app.migrations.add(AddOIDCExpiryAndConsentIndexes())
    app.migrations.add(AddLibrariesToOutboxMessages())
    app.migrations.add(AddLibraryAdministration())
    app.migrations.add(AddSecondFactorToStaffMembers())
    app.migrations.add(CreateStaffRecoveryCode())
    app.migrations.add(CreateConsentDraft())
    app.migrations.add(AddAuditTrailSearchIndexes())
    app.migrations.add(AddApplicationChannelToPatron())
    app.migrations.add(AddReportIndexes())
    app.migrations.add(AddReportCoveringIndexes())
    app.migrations.add(AddIDTokenAlgorithmToOIDCClients())
    // `onecard migrate` reports what it applied; the per-migration lines are for debugging.
    app.fluent.migrationLogLevel = .debug
    if settings.migratesOnBoot {
        app.lifecycle.use(EmbeddedDatabasePreparation())
    }

    // Views.
    // Leaf, with the pages of visitors without a session kept once rendered (`RenderedPageCache`).
    let renderedPages = RenderedPageCache()
    app.renderedPages = renderedPages
    app.views.use { app in CachingPageRenderer(leaf: app.leaf.renderer, cache: renderedPages) }
    app.leaf.sources = .singleSource(NIOLeafFiles(
        fileio: app.fileio, limits: [.toSandbox, .requireExtensions],
        sandboxDirectory: Resources.path("Views"), viewDirectory: Resources.path("Views") + "/"
    ))
    app.leaf.tags["t"] = TranslateTag()
    app.leaf.tags["csrfField"] = CSRFFieldTag()
    app.leaf.tags["htmlLang"] = HTMLLanguageTag()
    app.leaf.tags["otherLanguage"] = OtherLanguageTag()
    app.leaf.tags["otherLanguageURL"] = OtherLanguageURLTag()
    app.leaf.tags["isEnglish"] = IsEnglishTag()
    app.leaf.tags["readerSignedIn"] = ReaderSignedInTag()
    app.leaf.tags["path"] = PathTag()
    app.leaf.tags["day"] = DayTag()
    app.leaf.tags["staffMay"] = StaffMayTag()
    app.leaf.tags["staffAwaitingSecondFactor"] = StaffAwaitingSecondFactorTag()
    app.leaf.tags["staffAccount"] = StaffAccountTag()
    app.leaf.tags["asset"] = AssetTag(assets: staticAssets)

    // Outbox delivery: SMTP when configured, otherwise .eml files in the data directory.
    let mailer: any Mailer = if let smtp = settings.smtp {
        try SMTPMailer(relay: smtp, heloName: settings.baseURL.host ?? "localhost", eventLoopGroup: app.eventLoopGroup)
    } else {
        FileMailer(directory: settings.mailDropDirectory)
    }
    // Partner webhooks: a partner that does not answer in time is retried later, and redirects are not
    // followed (a signed body goes only to the configured address).
    app.http.client.configuration.timeout = .init(connect: .seconds(5), read: .seconds(15))
    app.http.client.configuration.redirectConfiguration = .disallow
    // The webhook delivery is made for each message, as the worker asks for its database each time.
    let deliverWebhook: OutboxWorker.Handler = { [app] message in
        try await PartnerWebhookDelivery(database: app.db, vault: app.vault, clock: app.clock, client: app.client).deliver(message)
    }
    let deliverPing: OutboxWorker.Handler = { [app] message in
        try await PartnerWebhookDelivery(database: app.db, vault: app.vault, clock: app.clock, client: app.client).deliverPing(message)
    }
    // The vault is read when a message is sent, not here: commands that never send (`roster check`) load none.
    let sendEmail: OutboxWorker.Handler = { [app] message in
        try await OutboxWorker.emailHandler(mailer, vault: app.vault)(message)
    }
    app.outboxWorker = OutboxWorker(
        database: { [app] in app.db }, clock: app.clock, logger: Logger(label: "onecard.outbox"),
        handlers: [.email: sendEmail, .partnerEvent: deliverWebhook, .linkRequest: app.linkRequestHandler,
                   .partnerPing: deliverPing]
    )
    if settings.runsBackgroundWorkers {
        app.lifecycle.use(OutboxWorkerLifecycle(interval: settings.outboxPollInterval))
        app.lifecycle.use(GroupImportLifecycle())
        if let port = settings.sip2Port {
            let sip2 = SIP2Lifecycle(port: port)
            app.lifecycle.use(sip2)
            app.servers.use { app in SIP2BesideHTTPServer(application: app, http: app.http.server.shared, sip2: sip2) }
        }
        if settings.taipeiPass != nil {
            app.lifecycle.use(TaipeiPassWarmUp())
        }
    }

    // Commands (`serve` is Vapor's; `migrate` replaces Fluent's interactive one).
    app.asyncCommands.use(MigrateCommand(), as: "migrate")
    app.asyncCommands.use(StaffCommands(), as: "staff")
    app.asyncCommands.use(CalendarCommands(), as: "calendar")
    app.asyncCommands.use(KeysCommands(), as: "keys")
    app.asyncCommands.use(APIClientCommands(), as: "api-client")
    app.asyncCommands.use(EZproxyCommands(), as: "ezproxy")
    app.asyncCommands.use(ApplicationsCommands(), as: "applications")
    app.asyncCommands.use(SeedDemoCommand(), as: "seed-demo")
    app.asyncCommands.use(SeedReportsCommand(), as: "seed-reports")
    app.asyncCommands.use(SIP2Commands(), as: "sip2")
    app.asyncCommands.use(RosterCommands(), as: "roster")
    app.asyncCommands.use(PartnerCommands(), as: "partner")
    app.asyncCommands.use(GroupCommands(), as: "group")
    app.asyncCommands.use(FilesCommands(), as: "files")
    app.asyncCommands.use(LibraryCommands(), as: "library")
    app.asyncCommands.use(OIDCCommands(), as: "oidc")

    try routes(app)
}
