import CitizenCertificate
import Crypto
import Foundation
import Testing
import X509

/// Runs one login: the card signs `nonce` (or `signedBytes`, to fake a wrong signature) with `key`.
func login(
    _ verifier: CitizenCertificateVerifier,
    chain: [Certificate],
    key: Certificate.PrivateKey = TestPKI.shared.rsaLeafKey,
    signedBytes: [UInt8]? = nil,
    expectedName: String = "王小明",
    at time: Date = testNow
) async throws(CitizenCertificateRejection) -> VerifiedCitizen {
    let nonce = CitizenCertificateVerifier.makeNonce()
    let signature = TestPKI.sign(signedBytes ?? nonce, with: key)
    return try await verifier.verify(
        certificateChain: chain.map(der), signature: signature, over: nonce, expectedName: expectedName, at: time)
}

/// The rejection a login ends with, or nil when it succeeds.
func rejection(
    _ verifier: CitizenCertificateVerifier,
    chain: [Certificate],
    key: Certificate.PrivateKey = TestPKI.shared.rsaLeafKey,
    signedBytes: [UInt8]? = nil,
    expectedName: String = "王小明",
    at time: Date = testNow
) async -> CitizenCertificateRejection? {
    do {
        _ = try await login(verifier, chain: chain, key: key, signedBytes: signedBytes, expectedName: expectedName, at: time)
        return nil
    } catch {
        return error
    }
}

@Suite("Citizen certificate login")
struct CitizenCertificateVerifierTests {
    let pki = TestPKI.shared

    @Test("a good RSA-2048 card: verified, with name, serial, issuer, notAfter and the ID's last four")
    func goodRSACertificate() async throws {
        let leaf = pki.leaf()
        let citizen = try await login(pki.verifier(), chain: [leaf, pki.moica.certificate])
        #expect(citizen.name == "王小明")
        #expect(citizen.serialNumber == "9A317C05E2441001")
        #expect(citizen.issuer.contains("CN=MOICA test"))
        #expect(citizen.notAfter == utc("2030-01-01T00:00:00Z"))
        #expect(citizen.idLastFour == "6789")
    }

    @Test("a good P-256 card: DER and raw r‖s ECDSA signatures both verify")
    func goodP256Certificate() async throws {
        let leaf = pki.leaf(key: pki.p256LeafKey)
        let verifier = pki.verifier()
        let citizen = try await login(verifier, chain: [leaf, pki.moica.certificate], key: pki.p256LeafKey)
        #expect(citizen.name == "王小明")

        let nonce = CitizenCertificateVerifier.makeNonce()
        let raw = try Array(pki.p256LeafRawKey.signature(for: nonce).rawRepresentation)
        #expect(raw.count == 64)
        let rawCitizen = try await verifier.verify(
            certificateChain: [der(leaf), der(pki.moica.certificate)], signature: raw, over: nonce,
            expectedName: "王小明", at: testNow)
        #expect(rawCitizen.name == "王小明")
    }

    @Test("the intermediate may come from configuration instead of the client")
    func configuredIntermediate() async throws {
        let verifier = pki.verifier(intermediates: [pki.moica.certificate])
        let citizen = try await login(verifier, chain: [pki.leaf()])
        #expect(citizen.name == "王小明")
        #expect(await rejection(pki.verifier(), chain: [pki.leaf()]) == .untrusted("no chain from CN=MOICA test,O=行政院,C=TW to a configured trust anchor"))
    }

    @Test("without the ID attribute, idLastFour is nil and the login still succeeds")
    func noIDAttribute() async throws {
        let citizen = try await login(pki.verifier(), chain: [pki.leaf(idLastFour: nil), pki.moica.certificate])
        #expect(citizen.idLastFour == nil)
    }

    @Test("an expired card is refused as expired")
    func expiredLeaf() async {
        let leaf = pki.leaf(notBefore: utc("2018-01-01T00:00:00Z"), notAfter: utc("2026-05-31T23:59:59Z"))
        let refused = await rejection(pki.verifier(), chain: [leaf, pki.moica.certificate])
        #expect(refused == .expired)
        #expect(refused?.code == "citizen_cert_expired")
    }

    @Test("an expired intermediate is refused as expired too")
    func expiredIntermediate() async {
        let oldMOICA = TestPKI.makeCA(
            subject: TestPKI.moicaName, key: pki.moica.key, serial: 3, issuer: pki.root,
            notBefore: utc("2015-01-01T00:00:00Z"), notAfter: utc("2026-01-01T00:00:00Z"))
        #expect(await rejection(pki.verifier(), chain: [pki.leaf(), oldMOICA.certificate]) == .expired)
    }

    @Test("a card that is not valid yet is refused as notYetValid")
    func notYetValidLeaf() async {
        let leaf = pki.leaf(notBefore: utc("2026-06-02T00:00:00Z"), notAfter: utc("2031-01-01T00:00:00Z"))
        let refused = await rejection(pki.verifier(), chain: [leaf, pki.moica.certificate])
        #expect(refused == .notYetValid)
        #expect(refused?.code == "citizen_cert_not_yet_valid")
    }

    @Test("the verifier's clock decides when no time is given")
    func clockDecides() async throws {
        let leaf = pki.leaf()
        let nonce = CitizenCertificateVerifier.makeNonce()
        let signature = TestPKI.sign(nonce, with: pki.rsaLeafKey)
        let chain = [der(leaf), der(pki.moica.certificate)]
        let later = try CitizenCertificateVerifier(
            trustAnchors: [pki.root.certificate], revocationLists: pki.revocationLists(), now: { utc("2031-01-01T00:00:00Z") })
        await #expect(throws: CitizenCertificateRejection.expired) {
            try await later.verify(certificateChain: chain, signature: signature, over: nonce, expectedName: "王小明")
        }
        let citizen = try await pki.verifier().verify(
            certificateChain: chain, signature: signature, over: nonce, expectedName: "王小明")
        #expect(citizen.name == "王小明")
    }

    @Test("a card from another CA with the same intermediate name is untrusted")
    func impostorCA() async {
        let leaf = pki.leaf(issuer: pki.impostorMOICA)
        let refused = await rejection(pki.verifier(), chain: [leaf, pki.impostorMOICA.certificate])
        guard case .untrusted = refused else {
            Issue.record("expected untrusted, got \(String(describing: refused))")
            return
        }
        #expect(refused?.code == "citizen_cert_untrusted")
        // Sending the impostor's root along does not make it a trust anchor.
        let withRoot = await rejection(
            pki.verifier(), chain: [leaf, pki.impostorMOICA.certificate, pki.otherRoot.certificate])
        #expect(withRoot?.code == "citizen_cert_untrusted")
    }

    @Test("a card from a differently named, unrelated CA is untrusted")
    func unrelatedCA() async {
        let leaf = pki.leaf(key: pki.p256LeafKey, issuer: pki.otherRoot)
        let refused = await rejection(pki.verifier(), chain: [leaf], key: pki.p256LeafKey)
        #expect(refused?.code == "citizen_cert_untrusted")
    }

    @Test("a CA certificate offered as the card is untrusted")
    func caAsLeaf() async {
        let leaf = pki.leaf(isCA: true)
        #expect(await rejection(pki.verifier(), chain: [leaf, pki.moica.certificate]) == .untrusted("the certificate is a CA certificate"))
    }

    @Test("someone else's card is refused with the certificate's name")
    func mismatchedName() async {
        let refused = await rejection(pki.verifier(), chain: [pki.leaf(), pki.moica.certificate], expectedName: "王小華")
        #expect(refused == .nameMismatch(certificateName: "王小明"))
        #expect(refused?.code == "citizen_cert_name_mismatch")
    }

    @Test(
        "names compare after NFC and trimming",
        arguments: [
            ("王小明", " 王小明\u{3000}\n"),  // ideographic space from a Chinese input method
            ("金小明", "\u{F90A}小明"),  // CJK compatibility ideograph 金 normalizes to U+91D1
            ("Kolas Yotaka", "Kolas Yotaka "),
            ("José", "Jose\u{301}"),  // decomposed accent
        ])
    func nameNormalization(certificateName: String, typedName: String) async throws {
        let leaf = pki.leaf(name: certificateName)
        let citizen = try await login(pki.verifier(), chain: [leaf, pki.moica.certificate], expectedName: typedName)
        #expect(citizen.name == certificateName.precomposedStringWithCanonicalMapping)
    }

    @Test("a name in a BMPString, as older certificates carry it, is read too")
    func bmpStringName() async throws {
        let citizen = try await login(pki.verifier(), chain: [pki.leaf(commonName: .bmpString), pki.moica.certificate])
        #expect(citizen.name == "王小明")
    }

    @Test("a certificate without a holder name is malformed")
    func noHolderName() async {
        #expect(await rejection(pki.verifier(), chain: [pki.leaf(commonName: .absent), pki.moica.certificate]) == .malformedCertificate)
    }

    @Test("a signature over other bytes than the nonce is a bad signature")
    func signatureOverOtherBytes() async {
        let refused = await rejection(
            pki.verifier(), chain: [pki.leaf(), pki.moica.certificate], signedBytes: Array("another nonce".utf8))
        #expect(refused == .badSignature)
        #expect(refused?.code == "citizen_cert_bad_signature")
    }

    @Test("a signature by another key than the card's is a bad signature")
    func signatureByOtherKey() async {
        let refused = await rejection(pki.verifier(), chain: [pki.leaf(), pki.moica.certificate], key: pki.moica.key)
        #expect(refused == .badSignature)
        let p256Refused = await rejection(
            pki.verifier(), chain: [pki.leaf(key: pki.p256LeafKey), pki.moica.certificate],
            key: Certificate.PrivateKey(P256.Signing.PrivateKey()))
        #expect(p256Refused == .badSignature)
    }

    @Test("the card's encryption certificate (no digitalSignature) cannot log in")
    func keyUsageWithoutDigitalSignature() async {
        let encryption = pki.leaf(keyUsage: KeyUsage(keyEncipherment: true, dataEncipherment: true))
        let refused = await rejection(pki.verifier(), chain: [encryption, pki.moica.certificate])
        #expect(refused == .keyUsage)
        #expect(refused?.code == "citizen_cert_key_usage")
        let noKeyUsage = pki.leaf(keyUsage: nil)
        #expect(await rejection(pki.verifier(), chain: [noKeyUsage, pki.moica.certificate]) == .keyUsage)
    }

    @Test("a serial on the intermediate's CRL is revoked")
    func revokedLeaf() async {
        let leaf = pki.leaf(serial: [0x00, 0xC0, 0xFF, 0xEE])
        let lists = pki.revocationLists(moicaRevokes: [Certificate.SerialNumber(bytes: [0x01]), leaf.serialNumber])
        let refused = await rejection(pki.verifier(revocationLists: lists), chain: [leaf, pki.moica.certificate])
        #expect(refused == .revoked(serial: "C0FFEE"))
        #expect(refused?.code == "citizen_cert_revoked")
        // Another card of the same CA is unaffected.
        #expect(await rejection(pki.verifier(revocationLists: lists), chain: [pki.leaf(), pki.moica.certificate]) == nil)
    }

    @Test("an intermediate on the root's CRL revokes every card under it")
    func revokedIntermediate() async {
        let lists = pki.revocationLists(rootRevokes: [pki.moica.certificate.serialNumber])
        #expect(await rejection(pki.verifier(revocationLists: lists), chain: [pki.leaf(), pki.moica.certificate]) == .revoked(serial: "02"))
    }

    @Test("a CRL past its nextUpdate makes revocation unknown")
    func staleCRL() async {
        let stale = try! CertificateRevocationList(
            derEncoded: TestCRL.make(issuer: pki.moica, thisUpdate: days(-14), nextUpdate: days(-1)))
        let lists = [pki.revocationLists()[0], stale]
        let refused = await rejection(pki.verifier(revocationLists: lists), chain: [pki.leaf(), pki.moica.certificate])
        guard case .revocationUnknown(let reason) = refused else {
            Issue.record("expected revocationUnknown, got \(String(describing: refused))")
            return
        }
        #expect(reason.contains("nextUpdate"))
        #expect(refused?.code == "citizen_cert_revocation_unknown")
    }

    @Test("of a stale and a fresh CRL, the fresh one decides")
    func newestCRLDecides() async {
        let stale = try! CertificateRevocationList(
            derEncoded: TestCRL.make(issuer: pki.moica, thisUpdate: days(-14), nextUpdate: days(-1)))
        let lists = pki.revocationLists() + [stale]
        #expect(await rejection(pki.verifier(revocationLists: lists), chain: [pki.leaf(), pki.moica.certificate]) == nil)
    }

    @Test("a CRL issued in the future makes revocation unknown")
    func futureCRL() async {
        let future = try! CertificateRevocationList(derEncoded: TestCRL.make(issuer: pki.moica, thisUpdate: days(1), nextUpdate: days(8)))
        let refused = await rejection(
            pki.verifier(revocationLists: [pki.revocationLists()[0], future]), chain: [pki.leaf(), pki.moica.certificate])
        #expect(refused?.code == "citizen_cert_revocation_unknown")
    }

    @Test("a CRL with a forged signature makes revocation unknown, even if it lists nothing")
    func forgedCRL() async {
        let forged = try! CertificateRevocationList(
            derEncoded: TestCRL.make(issuer: pki.moica, signingKey: pki.impostorMOICA.key))
        let refused = await rejection(
            pki.verifier(revocationLists: [pki.revocationLists()[0], forged]), chain: [pki.leaf(), pki.moica.certificate])
        guard case .revocationUnknown(let reason) = refused else {
            Issue.record("expected revocationUnknown, got \(String(describing: refused))")
            return
        }
        #expect(reason.contains("verifies"))
    }

    @Test("a CRL with a flipped signature byte makes revocation unknown")
    func tamperedCRL() async throws {
        var bytes = TestCRL.make(issuer: pki.moica)
        bytes[bytes.count - 5] ^= 0x01
        let tampered = try CertificateRevocationList(derEncoded: bytes)
        #expect(!tampered.isSigned(by: pki.moica.certificate))
        let refused = await rejection(
            pki.verifier(revocationLists: [pki.revocationLists()[0], tampered]), chain: [pki.leaf(), pki.moica.certificate])
        #expect(refused?.code == "citizen_cert_revocation_unknown")
    }

    @Test("an issuer without a configured CRL is refused by default, accepted when configured so")
    func missingCRL() async {
        let onlyRoot = [pki.revocationLists()[0]]
        let refused = await rejection(pki.verifier(revocationLists: onlyRoot), chain: [pki.leaf(), pki.moica.certificate])
        #expect(refused == .revocationUnknown("no CRL configured for issuer CN=MOICA test,O=行政院,C=TW"))

        let lenient = pki.verifier(revocationLists: [], revocation: RevocationOptions(whenIssuerHasNoList: .accept))
        #expect(await rejection(lenient, chain: [pki.leaf(), pki.moica.certificate]) == nil)
    }

    @Test("leafOnly scope needs no CRL of the root")
    func leafOnlyScope() async {
        let onlyMOICA = [pki.revocationLists()[1]]
        #expect(await rejection(pki.verifier(revocationLists: onlyMOICA), chain: [pki.leaf(), pki.moica.certificate])?.code
            == "citizen_cert_revocation_unknown")
        let leafOnly = pki.verifier(revocationLists: onlyMOICA, revocation: RevocationOptions(scope: .leafOnly))
        #expect(await rejection(leafOnly, chain: [pki.leaf(), pki.moica.certificate]) == nil)
    }

    @Test("a partitioned CRL (critical issuingDistributionPoint) is not taken as proof of good standing")
    func partitionedCRL() async throws {
        let distributionPoint = Certificate.Extension(oid: [2, 5, 29, 28], critical: true, value: [0x30, 0x00][...])
        let partition = try CertificateRevocationList(
            derEncoded: TestCRL.make(issuer: pki.moica, extensions: [distributionPoint]))
        #expect(!partition.isInterpretable)
        #expect(partition.unsupportedCriticalExtensions == ["2.5.29.28"])
        let refused = await rejection(
            pki.verifier(revocationLists: [pki.revocationLists()[0], partition]), chain: [pki.leaf(), pki.moica.certificate])
        #expect(refused?.code == "citizen_cert_revocation_unknown")
    }

    @Test("bytes that are no certificate, or no certificate at all, are malformed")
    func malformed() async throws {
        let verifier = pki.verifier()
        let nonce = CitizenCertificateVerifier.makeNonce()
        await #expect(throws: CitizenCertificateRejection.malformedCertificate) {
            try await verifier.verify(
                certificateChain: [[0x30, 0x03, 0x02, 0x01, 0x01]], signature: [], over: nonce, expectedName: "王小明", at: testNow)
        }
        await #expect(throws: CitizenCertificateRejection.malformedCertificate) {
            try await verifier.verify(certificateChain: [], signature: [], over: nonce, expectedName: "王小明", at: testNow)
        }
        var truncated = der(pki.leaf())
        truncated.removeLast(10)
        await #expect(throws: CitizenCertificateRejection.malformedCertificate) {
            try await verifier.verify(certificateChain: [truncated], signature: [], over: nonce, expectedName: "王小明", at: testNow)
        }
    }

    @Test("every rejection has its own stable code")
    func codes() {
        let all: [CitizenCertificateRejection] = [
            .malformedCertificate, .badSignature, .untrusted(""), .expired, .notYetValid, .keyUsage, .revoked(serial: ""),
            .revocationUnknown(""), .nameMismatch(certificateName: ""),
        ]
        #expect(all.map(\.code) == [
            "citizen_cert_malformed", "citizen_cert_bad_signature", "citizen_cert_untrusted", "citizen_cert_expired",
            "citizen_cert_not_yet_valid", "citizen_cert_key_usage", "citizen_cert_revoked",
            "citizen_cert_revocation_unknown", "citizen_cert_name_mismatch",
        ])
    }

    @Test("nonces are 32 random bytes")
    func nonces() {
        let first = CitizenCertificateVerifier.makeNonce()
        let second = CitizenCertificateVerifier.makeNonce()
        #expect(first.count == 32)
        #expect(first != second)
    }

    @Test("a verifier without trust anchors cannot be made")
    func noTrustAnchors() {
        #expect(throws: CitizenCertificateConfigurationError.noTrustAnchors) {
            try CitizenCertificateVerifier(trustAnchors: [])
        }
    }

    @Test("trust anchors load from DER and from PEM files with several certificates")
    func loadCertificates() throws {
        #expect(try CitizenCertificateVerifier.loadCertificates(pemOrDER: pki.root.der) == [pki.root.certificate])
        let pem = try [pki.root.certificate, pki.moica.certificate].map { try $0.serializeAsPEM().pemString }
            .joined(separator: "\n")
        #expect(try CitizenCertificateVerifier.loadCertificates(pemOrDER: Array(pem.utf8))
            == [pki.root.certificate, pki.moica.certificate])
        #expect(throws: CitizenCertificateConfigurationError.self) {
            try CitizenCertificateVerifier.loadCertificates(pemOrDER: Array("not a certificate".utf8))
        }
    }
}
