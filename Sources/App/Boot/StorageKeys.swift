import CitizenCertificate
import Crypto
import Fluent
import Foundation
import NIOConcurrencyHelpers
import NIOCore
import OneCardDomain
import PersonalDataVault
import Prometheus
import SQLKit
import UploadInspection
import Vapor

/// Every value OneCard keeps in `Application.storage` or `Request.storage`, declared in one place; the
/// accessors below and beside their features read and write them.
enum StorageKeys {
    struct APIClientKey: StorageKey { typealias Value = APIClient }
    struct APIClientCacheKey: StorageKey { typealias Value = APIClientCache }
    struct AuditBatchWriterKey: StorageKey { typealias Value = AuditBatchWriter }
    struct CitizenCertificatesKey: StorageKey { typealias Value = CitizenCertificates }
    struct ClockKey: StorageKey { typealias Value = OneCardClock }
    struct ConnectSourcesKey: StorageKey { typealias Value = [String] }
    struct ConsortiumDirectoryKey: StorageKey { typealias Value = ConsortiumDirectory }
    struct DatabaseHealthFlightKey: StorageKey { typealias Value = DatabaseHealthFlight }
    struct CSRFCookieKey: StorageKey { typealias Value = AnonymousCSRFCookie.Use }
    struct DecoyHashKey: StorageKey { typealias Value = String }
    struct GroupContactKey: StorageKey { typealias Value = GroupApplicationRecord }
    struct LocaleKey: StorageKey { typealias Value = SiteLocale }
    struct LocalizerKey: StorageKey { typealias Value = Localizer }
    struct MetricsRegistryKey: StorageKey { typealias Value = PrometheusCollectorRegistry }
    struct OIDCKeyCacheKey: StorageKey { typealias Value = OIDCKeyCache }
    struct OIDCIssuanceQueueKey: StorageKey { typealias Value = OIDCIssuanceQueue }
    struct OutboxWorkerKey: StorageKey { typealias Value = OutboxWorker }
    struct PasswordHashingPoolKey: StorageKey { typealias Value = PasswordHashingPool }
    struct PasswordPolicyKey: StorageKey { typealias Value = PasswordPolicy }
    struct ReadSessionKey: StorageKey { typealias Value = WebSessions.Read }
    struct RenderedPageCacheKey: StorageKey { typealias Value = RenderedPageCache }
    struct SettingsKey: StorageKey { typealias Value = OneCardSettings }
    struct SignInPauseKey: StorageKey { typealias Value = SignInPause }
    struct StaffKey: StorageKey { typealias Value = StaffMember }
    struct TaipeiPassProviderKey: StorageKey { typealias Value = OpenIDProvider }
    struct VaultKey: StorageKey { typealias Value = PersonalDataVault }
}

extension Application {
    public var settings: OneCardSettings {
        get {
            guard let settings = storage[StorageKeys.SettingsKey.self] else {
                fatalError("configure(_:) sets the settings before anything reads them")
            }
            return settings
        }
        set { storage[StorageKeys.SettingsKey.self] = newValue }
    }
}

extension Application {
    /// One per app (set by `configure`), shared by the home page and the libraries API.
    var consortiumDirectory: ConsortiumDirectory {
        get { storage[StorageKeys.ConsortiumDirectoryKey.self]! }
        set { storage[StorageKeys.ConsortiumDirectoryKey.self] = newValue }
    }

    var renderedPages: RenderedPageCache {
        get { storage[StorageKeys.RenderedPageCacheKey.self]! }
        set { storage[StorageKeys.RenderedPageCacheKey.self] = newValue }
    }
}

extension Application {
    /// Group commit of the hot paths' audit entries (`AuditBatchWriter`), one per app.
    var auditBatchWriter: AuditBatchWriter {
        get { storage[StorageKeys.AuditBatchWriterKey.self]! }
        set { storage[StorageKeys.AuditBatchWriterKey.self] = newValue }
    }
}

extension Application {
    /// API clients by token hash (`APIClientCache`), one per app.
    var apiClientCache: APIClientCache {
        get { storage[StorageKeys.APIClientCacheKey.self]! }
        set { storage[StorageKeys.APIClientCacheKey.self] = newValue }
    }
}

extension Application {
    /// `/healthz`'s single flight (`DatabaseHealthFlight`), one per app.
    var databaseHealthFlight: DatabaseHealthFlight {
        get { storage[StorageKeys.DatabaseHealthFlightKey.self]! }
        set { storage[StorageKeys.DatabaseHealthFlightKey.self] = newValue }
    }
}

extension Request {
    func requireAPIClient() throws -> APIClient {
        guard let client = storage[StorageKeys.APIClientKey.self] else { throw APIAuthError.missingOrInvalidToken }
        return client
    }
}

extension Application {
    var passwordPolicy: PasswordPolicy {
        get { storage[StorageKeys.PasswordPolicyKey.self]! }
        set { storage[StorageKeys.PasswordPolicyKey.self] = newValue }
    }

    /// Issue #13 item 5: read as bytes, lines split and trimmed of ASCII blanks and control characters (the
    /// file is generated, one password a line); Foundation's `trimmingCharacters` on its 10,090 lines was a
    /// sixth of every command's start.
    static func loadPasswordPolicy() throws -> PasswordPolicy {
        let bytes = try Data(contentsOf: URL(fileURLWithPath: Resources.path("common-passwords.txt")))
        var words = Set<String>(minimumCapacity: 10_240)
        for line in bytes.split(separator: UInt8(ascii: "\n")) {
            var start = line.startIndex, end = line.endIndex
            while start < end, line[start] <= 0x20 { start += 1 }
            while end > start, line[end - 1] <= 0x20 { end -= 1 }
            guard start < end, line[start] != UInt8(ascii: "#") else { continue }
            words.insert(String(decoding: line[start..<end], as: UTF8.self).lowercased())
        }
        return PasswordPolicy(commonPasswords: words)
    }
}

extension Application {
    var citizenCertificates: CitizenCertificates {
        get { storage[StorageKeys.CitizenCertificatesKey.self]! }
        set { storage[StorageKeys.CitizenCertificatesKey.self] = newValue }
    }

    var identityDocuments: IdentityDocumentStore { IdentityDocumentStore(files: sealedFiles) }
}

extension Application {
    /// This application's metrics (not a process-wide global, so every test app counts its own).
    var metricsRegistry: PrometheusCollectorRegistry {
        get { storage[StorageKeys.MetricsRegistryKey.self]! }
        set { storage[StorageKeys.MetricsRegistryKey.self] = newValue }
    }
}

extension Application {
    /// The configured 台北通 provider with its cached discovery document and keys; nil when not configured.
    var taipeiPassProvider: OpenIDProvider? {
        get { storage[StorageKeys.TaipeiPassProviderKey.self] }
        set { storage[StorageKeys.TaipeiPassProviderKey.self] = newValue }
    }
}

extension Application {
    public var clock: OneCardClock {
        get { storage[StorageKeys.ClockKey.self] ?? .system }
        set { storage[StorageKeys.ClockKey.self] = newValue }
    }
}

extension Request {
    var now: Date { application.clock.now() }
}

extension Request {
    var outbox: Outbox {
        Outbox(localizer: application.localizer, settings: application.settings, vault: application.vault, now: now)
    }
}

extension Application {
    var outbox: Outbox {
        Outbox(localizer: localizer, settings: settings, vault: vault, now: clock.now())
    }
}

extension Application {
    var outboxWorker: OutboxWorker {
        get { storage[StorageKeys.OutboxWorkerKey.self]! }
        set { storage[StorageKeys.OutboxWorkerKey.self] = newValue }
    }
}

extension Application {
    /// Sealed files where the settings keep them (`OneCardSettings.fileStorage`), under the current vault.
    var sealedFiles: SealedFileStore {
        SealedFileStore(vault: vault, backend: sealedFileBackend, threadPool: threadPool)
    }

    var sealedFileBackend: any SealedFileBackend {
        switch settings.fileStorage {
        case .disk: diskSealedFiles
        case .database: DatabaseSealedFiles(database: db, clock: clock)
        }
    }

    /// The data directory's `uploads/`, also when files are kept in the database (files left there to move).
    var diskSealedFiles: DiskSealedFiles {
        DiskSealedFiles(dataDirectory: settings.dataDirectory, threadPool: threadPool)
    }
}

extension Application {
    public var localizer: Localizer {
        get { storage[StorageKeys.LocalizerKey.self]! }
        set { storage[StorageKeys.LocalizerKey.self] = newValue }
    }
}

extension Application {
    /// Verified when a sign-in names an unknown account, so a wrong address takes as long as a wrong
    /// password and response times do not reveal who has an account.
    var decoyPasswordHash: String {
        get { storage[StorageKeys.DecoyHashKey.self]! }
        set { storage[StorageKeys.DecoyHashKey.self] = newValue }
    }
}

extension Application {
    /// bcrypt's own threads and queue limit (`PasswordHashingPool`), shared by every request and SIP2 session.
    var passwordHashingPool: PasswordHashingPool {
        get { storage[StorageKeys.PasswordHashingPoolKey.self]! }
        set { storage[StorageKeys.PasswordHashingPoolKey.self] = newValue }
    }

    /// Hashing and verifying passwords on that pool, with the app's hasher and configured cost.
    var passwordHashing: PasswordHashing {
        PasswordHashing(hasher: password.sync, pool: passwordHashingPool, cost: settings.bcryptCost)
    }
}

extension Application {
    /// How refused sign-ins wait out their delay: sleeping unless a test records the delays instead.
    var signInPause: SignInPause {
        get { storage[StorageKeys.SignInPauseKey.self] ?? .sleeping }
        set { storage[StorageKeys.SignInPauseKey.self] = newValue }
    }
}
