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

extension Application {
    private struct SettingsKey: StorageKey { typealias Value = OneCardSettings }

    public var settings: OneCardSettings {
        get {
            guard let settings = storage[SettingsKey.self] else {
                fatalError("configure(_:) sets the settings before anything reads them")
            }
            return settings
        }
        set { storage[SettingsKey.self] = newValue }
    }
}

struct APIClientKey: StorageKey { typealias Value = APIClient }

extension Request {
    func requireAPIClient() throws -> APIClient {
        guard let client = storage[APIClientKey.self] else { throw APIAuthError.missingOrInvalidToken }
        return client
    }
}

extension Application {
    private struct PasswordPolicyKey: StorageKey { typealias Value = PasswordPolicy }

    var passwordPolicy: PasswordPolicy {
        get { storage[PasswordPolicyKey.self]! }
        set { storage[PasswordPolicyKey.self] = newValue }
    }

    static func loadPasswordPolicy() throws -> PasswordPolicy {
        let text = try String(contentsOfFile: Resources.path("common-passwords.txt"), encoding: .utf8)
        let words = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
            .filter { !$0.isEmpty && !$0.hasPrefix("#") }
        return PasswordPolicy(commonPasswords: Set(words))
    }
}

extension Application {
    private struct CitizenCertificatesKey: StorageKey { typealias Value = CitizenCertificates }

    var citizenCertificates: CitizenCertificates {
        get { storage[CitizenCertificatesKey.self]! }
        set { storage[CitizenCertificatesKey.self] = newValue }
    }

    var identityDocuments: IdentityDocumentStore { IdentityDocumentStore(dataDirectory: settings.dataDirectory, vault: vault) }
}

extension Application {
    private struct MetricsRegistryKey: StorageKey { typealias Value = PrometheusCollectorRegistry }

    /// This application's metrics (not a process-wide global, so every test app counts its own).
    var metricsRegistry: PrometheusCollectorRegistry {
        get { storage[MetricsRegistryKey.self]! }
        set { storage[MetricsRegistryKey.self] = newValue }
    }
}

extension Application {
    private struct TaipeiPassProviderKey: StorageKey { typealias Value = OpenIDProvider }

    /// The configured 台北通 provider with its cached discovery document and keys; nil when not configured.
    var taipeiPassProvider: OpenIDProvider? {
        get { storage[TaipeiPassProviderKey.self] }
        set { storage[TaipeiPassProviderKey.self] = newValue }
    }
}

extension Application {
    private struct ClockKey: StorageKey { typealias Value = OneCardClock }

    public var clock: OneCardClock {
        get { storage[ClockKey.self] ?? .system }
        set { storage[ClockKey.self] = newValue }
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
    private struct OutboxWorkerKey: StorageKey { typealias Value = OutboxWorker }

    var outboxWorker: OutboxWorker {
        get { storage[OutboxWorkerKey.self]! }
        set { storage[OutboxWorkerKey.self] = newValue }
    }
}

extension Application {
    var sealedFiles: SealedFileStore {
        SealedFileStore(dataDirectory: settings.dataDirectory, vault: vault)
    }
}

extension Application {
    private struct LocalizerKey: StorageKey { typealias Value = Localizer }

    public var localizer: Localizer {
        get { storage[LocalizerKey.self]! }
        set { storage[LocalizerKey.self] = newValue }
    }
}

extension Application {
    private struct DecoyHashKey: StorageKey { typealias Value = String }

    /// Verified when a sign-in names an unknown account, so a wrong address takes as long as a wrong
    /// password and response times do not reveal who has an account.
    var decoyPasswordHash: String {
        get { storage[DecoyHashKey.self]! }
        set { storage[DecoyHashKey.self] = newValue }
    }
}
