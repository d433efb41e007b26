import CitizenCertificate
import Foundation
import NIOConcurrencyHelpers
import PersonalDataVault
import UploadInspection
import Vapor

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
