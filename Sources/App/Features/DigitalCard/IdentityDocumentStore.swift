import CitizenCertificate
import Foundation
import NIOConcurrencyHelpers
import PersonalDataVault
import UploadInspection
import Vapor

/// Uploaded identity documents on disk: `<data dir>/uploads/<file id>` in the `SealedFileStore` (the
/// file id is the sealing context, so a file cannot be swapped for another), owner-only, never under the
/// public folder.
struct IdentityDocumentStore: Sendable {
    let files: SealedFileStore

    init(settings: OneCardSettings, vault: PersonalDataVault) {
        files = SealedFileStore(dataDirectory: settings.dataDirectory, vault: vault)
    }

    static func context(_ id: UUID) -> String { "identity_document:\(id.uuidString.lowercased())" }

    func write(_ bytes: [UInt8], id: UUID) throws {
        try files.store(Data(bytes), id: id, context: Self.context(id))
    }

    func read(_ id: UUID) throws -> Data {
        try files.load(id: id, context: Self.context(id))
    }

    func erase(_ id: UUID) throws {
        files.remove(id: id)
    }
}

/// The citizen certificate verifier built from the configured files, rebuilt when asked (hourly by
/// the housekeeping task, so a newly downloaded CRL is used without a restart). Nil when no trust
/// anchor is configured: the certificate path is then not offered.
final class CitizenCertificates: Sendable {
    private let state: NIOLockedValueBox<CitizenCertificateVerifier?> = .init(nil)
    let settings: OneCardSettings
    let clock: OneCardClock

    init(settings: OneCardSettings, clock: OneCardClock) {
        self.settings = settings
        self.clock = clock
    }

    var verifier: CitizenCertificateVerifier? { state.withLockedValue { $0 } }

    func reload() throws {
        guard !settings.citizenCertificateAnchors.isEmpty else { return }
        func load(_ path: String) throws -> [UInt8] {
            guard let data = FileManager.default.contents(atPath: path) else {
                throw ConfigurationError(variable: "ONECARD_CITIZEN_CERT_*", problem: "cannot read \(path)")
            }
            return Array(data)
        }
        let anchors = try settings.citizenCertificateAnchors.flatMap { try CitizenCertificateVerifier.loadCertificates(pemOrDER: load($0)) }
        let intermediates = try settings.citizenCertificateIntermediates.flatMap { try CitizenCertificateVerifier.loadCertificates(pemOrDER: load($0)) }
        let lists = try settings.citizenCertificateCRLs.flatMap { try CertificateRevocationList.load(pemOrDER: load($0)) }
        let clock = self.clock
        let verifier = try CitizenCertificateVerifier(trustAnchors: anchors, intermediates: intermediates, revocationLists: lists,
                                                      now: { clock.now() })
        state.withLockedValue { $0 = verifier }
    }
}

extension Application {
    private struct CitizenCertificatesKey: StorageKey { typealias Value = CitizenCertificates }

    var citizenCertificates: CitizenCertificates {
        get { storage[CitizenCertificatesKey.self]! }
        set { storage[CitizenCertificatesKey.self] = newValue }
    }

    var identityDocuments: IdentityDocumentStore { IdentityDocumentStore(settings: settings, vault: vault) }
}

/// What the browser side of the citizen certificate exchange sends and gets.
enum CitizenCertificateNonce {
    static func make() -> [UInt8] { CitizenCertificateVerifier.makeNonce() }

    /// The certificate chain as the card's component hands it over: PEM with one or more CERTIFICATE
    /// blocks (card first), or base64 DER certificates separated by commas or whitespace.
    static func chain(from text: String) -> [[UInt8]]? {
        if text.contains("-----BEGIN CERTIFICATE-----") {
            var chain: [[UInt8]] = []
            var rest = Substring(text)
            while let begin = rest.range(of: "-----BEGIN CERTIFICATE-----"), let end = rest.range(of: "-----END CERTIFICATE-----") {
                guard begin.upperBound <= end.lowerBound,
                      let der = Data(base64Encoded: String(rest[begin.upperBound..<end.lowerBound].filter { !$0.isWhitespace }))
                else { return nil }
                chain.append(Array(der))
                rest = rest[end.upperBound...]
            }
            return chain
        }
        let parts = text.split(whereSeparator: { $0 == "," || $0.isWhitespace }).filter { !$0.isEmpty }
        let decoded: [[UInt8]?] = parts.map { part in Data(base64Encoded: String(part)).map { [UInt8]($0) } }
        return decoded.contains(where: { $0 == nil }) ? nil : decoded.compactMap { $0 }
    }
}
