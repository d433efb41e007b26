import CitizenCertificate
import Foundation
import TestSubprocess
import SwiftASN1
import Testing
import X509

@Suite("Certificate revocation lists")
struct CertificateRevocationListTests {
    let pki = TestPKI.shared

    @Test("a CRL written with SwiftASN1 reads back: issuer, dates, serials, reason codes, signature")
    func readsBack() throws {
        let revoked = [
            TestCRL.Revoked(serial: Certificate.SerialNumber(bytes: [0x00, 0x9A, 0x01]), date: utc("2026-05-01T08:30:00Z"), reasonCode: 6),
            TestCRL.Revoked(serial: Certificate.SerialNumber(bytes: [0x05]), date: utc("2026-05-02T00:00:00Z"), reasonCode: nil),
        ]
        let bytes = TestCRL.make(
            issuerName: pki.moica.certificate.subject, revoked: revoked, thisUpdate: utc("2026-05-31T00:00:00Z"),
            nextUpdate: utc("2026-06-07T12:00:00Z"), extensions: [], signingKey: pki.moica.key)
        let list = try CertificateRevocationList(derEncoded: bytes)
        #expect(list.issuer == pki.moica.certificate.subject)
        #expect(list.thisUpdate == utc("2026-05-31T00:00:00Z"))
        #expect(list.nextUpdate == utc("2026-06-07T12:00:00Z"))
        #expect(list.entries.map(\.serialNumber) == ["9A01", "05"])
        #expect(list.entries.map(\.reasonCode) == [6, nil])
        #expect(list.entries[0].revocationDate == utc("2026-05-01T08:30:00Z"))
        #expect(list.contains(Certificate.SerialNumber(bytes: [0x9A, 0x01])))
        #expect(!list.contains(Certificate.SerialNumber(bytes: [0x9A, 0x02])))
        #expect(list.isInterpretable)
        #expect(list.isSigned(by: pki.moica.certificate))
        #expect(!list.isSigned(by: pki.root.certificate))
    }

    @Test("an ECDSA-signed CRL verifies with the P-256 issuer's key")
    func ecdsaSignedCRL() throws {
        let list = try CertificateRevocationList(derEncoded: TestCRL.make(issuer: pki.otherRoot))
        #expect(list.isSigned(by: pki.otherRoot.certificate))
        #expect(!list.isSigned(by: pki.impostorMOICA.certificate))
    }

    @Test("PEM files with one or more X509 CRL blocks load")
    func pem() throws {
        let first = TestCRL.make(issuer: pki.root)
        let second = TestCRL.make(issuer: pki.moica, revoked: [Certificate.SerialNumber(bytes: [0x42])])
        let text = [first, second].map { PEMDocument(type: "X509 CRL", derBytes: $0).pemString }.joined(separator: "\n")
        let lists = try CertificateRevocationList.load(pemOrDER: Array(text.utf8))
        #expect(lists.map(\.issuer) == [pki.root.certificate.subject, pki.moica.certificate.subject])
        #expect(lists[1].entries.map(\.serialNumber) == ["42"])
        #expect(try CertificateRevocationList.load(pemOrDER: first).count == 1)
    }

    @Test("bytes that are no CRL are refused at configuration time")
    func unreadable() {
        #expect(throws: CitizenCertificateConfigurationError.self) {
            try CertificateRevocationList(derEncoded: Array("hello".utf8))
        }
        #expect(throws: CitizenCertificateConfigurationError.self) {
            try CertificateRevocationList(derEncoded: der(pki.root.certificate))  // a certificate, not a CRL
        }
        let certificatePEM = try! pki.root.certificate.serializeAsPEM().pemString
        #expect(throws: CitizenCertificateConfigurationError.self) {
            try CertificateRevocationList.load(pemOrDER: Array(certificatePEM.utf8))
        }
    }

    @Test("a CRL without nextUpdate cannot vouch for a certificate")
    func noNextUpdate() async {
        let list = try! CertificateRevocationList(derEncoded: TestCRL.make(issuer: pki.moica, nextUpdate: nil))
        #expect(list.nextUpdate == nil)
        let refused = await rejection(
            pki.verifier(revocationLists: [pki.revocationLists()[0], list]), chain: [pki.leaf(), pki.moica.certificate])
        #expect(refused == .revocationUnknown("the CRL of CN=MOICA test,O=行政院,C=TW has no nextUpdate"))
    }
}

@Suite("A CA and CRL made by the openssl command line tool")
struct OpenSSLTests {
    @Test("openssl's CRL parses and verifies, finds the revoked serial, and openssl-signed nonces log in or are revoked")
    func opensslCAAndCRL() async throws {
        let openssl = try #require(
            executable(named: "openssl"),
            "the openssl command line tool is not installed (Debian: apt-get install openssl); this test needs it")
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("citizencert-openssl-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let run = { (arguments: [String]) async throws in try await runTool(openssl, arguments, in: directory) }

        try Data(opensslConfig.utf8).write(to: directory.appendingPathComponent("ca.cnf"))
        try Data().write(to: directory.appendingPathComponent("index.txt"))
        try Data("1000\n".utf8).write(to: directory.appendingPathComponent("crlnumber"))
        let nonce = CitizenCertificateVerifier.makeNonce()
        try Data(nonce).write(to: directory.appendingPathComponent("nonce.bin"))

        try await run(["req", "-x509", "-config", "ca.cnf", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key",
                 "-out", "ca.pem", "-days", "3650", "-sha256"])
        // An RSA card that will be revoked and a P-256 card in good standing, both named 王小明.
        try await run(["req", "-new", "-config", "ca.cnf", "-newkey", "rsa:2048", "-nodes", "-keyout", "revoked.key",
                 "-subj", "/C=TW/CN=王小明", "-utf8", "-out", "revoked.csr"])
        try await run(["x509", "-req", "-in", "revoked.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-set_serial", "0xC0FFEE01",
                 "-days", "365", "-sha256", "-extfile", "ca.cnf", "-extensions", "citizen", "-out", "revoked.pem"])
        try await run(["req", "-new", "-config", "ca.cnf", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                 "-keyout", "good.key", "-subj", "/C=TW/CN=王小明", "-utf8", "-out", "good.csr"])
        try await run(["x509", "-req", "-in", "good.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-set_serial", "0x1234",
                 "-days", "365", "-sha256", "-extfile", "ca.cnf", "-extensions", "citizen", "-out", "good.pem"])
        try await run(["ca", "-config", "ca.cnf", "-revoke", "revoked.pem", "-crl_reason", "keyCompromise"])
        try await run(["ca", "-config", "ca.cnf", "-gencrl", "-crldays", "7", "-out", "crl.pem"])
        try await run(["crl", "-in", "crl.pem", "-outform", "DER", "-out", "crl.der"])
        for card in ["revoked", "good"] {
            try await run(["dgst", "-sha256", "-sign", "\(card).key", "-out", "\(card).sig", "nonce.bin"])
        }
        func bytes(_ name: String) throws -> [UInt8] {
            Array(try Data(contentsOf: directory.appendingPathComponent(name)))
        }

        let ca = try #require(try CitizenCertificateVerifier.loadCertificates(pemOrDER: try bytes("ca.pem")).first)
        let lists = try CertificateRevocationList.load(pemOrDER: try bytes("crl.pem"))
        let derList = try CertificateRevocationList(derEncoded: try bytes("crl.der"))
        let list = try #require(lists.first)
        #expect(lists.count == 1)
        #expect(list.issuer == ca.subject)
        #expect(list.entries.map(\.serialNumber) == ["C0FFEE01"])
        #expect(list.entries.map(\.reasonCode) == [1])
        #expect(list.contains(Certificate.SerialNumber(bytes: [0xC0, 0xFF, 0xEE, 0x01])))
        #expect(derList.entries == list.entries)
        #expect(list.isInterpretable)  // cRLNumber and authorityKeyIdentifier, neither critical
        #expect(list.isSigned(by: ca))
        let nextUpdate = try #require(list.nextUpdate)
        #expect(abs(nextUpdate.timeIntervalSince(list.thisUpdate) - 7 * 86_400) < 2)

        let verifier = try CitizenCertificateVerifier(trustAnchors: [ca], revocationLists: lists)
        let revokedCard = try #require(try CitizenCertificateVerifier.loadCertificates(pemOrDER: try bytes("revoked.pem")).first)
        await #expect(throws: CitizenCertificateRejection.revoked(serial: "C0FFEE01")) {
            try await verifier.verify(
                certificateChain: [der(revokedCard)], signature: try bytes("revoked.sig"), over: nonce, expectedName: "王小明")
        }
        let goodCard = try #require(try CitizenCertificateVerifier.loadCertificates(pemOrDER: try bytes("good.pem")).first)
        let citizen = try await verifier.verify(
            certificateChain: [der(goodCard)], signature: try bytes("good.sig"), over: nonce, expectedName: "王小明")
        #expect(citizen.name == "王小明")
        #expect(citizen.serialNumber == "1234")
        #expect(citizen.issuer == ca.subject.description)
    }
}

private let opensslConfig = """
    [ req ]
    distinguished_name = ca_name
    prompt = no
    string_mask = utf8only
    utf8 = yes
    x509_extensions = ca_extensions

    [ ca_name ]
    C = TW
    O = OneCard Test
    CN = OpenSSL Test CA

    [ ca_extensions ]
    basicConstraints = critical, CA:TRUE
    keyUsage = critical, keyCertSign, cRLSign
    subjectKeyIdentifier = hash

    [ citizen ]
    basicConstraints = CA:FALSE
    keyUsage = critical, digitalSignature, nonRepudiation
    subjectKeyIdentifier = hash
    authorityKeyIdentifier = keyid

    [ ca ]
    default_ca = test_ca

    [ test_ca ]
    dir = .
    database = ./index.txt
    new_certs_dir = .
    certificate = ./ca.pem
    private_key = ./ca.key
    crlnumber = ./crlnumber
    default_md = sha256
    default_crl_days = 7
    unique_subject = no
    crl_extensions = crl_extensions

    [ crl_extensions ]
    authorityKeyIdentifier = keyid:always

    """

private func executable(named name: String) -> String? {
    let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
    return path.split(separator: ":").map { "\($0)/\(name)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
}

private struct ToolFailed: Error, CustomStringConvertible {
    let description: String
}

private func runTool(_ tool: String, _ arguments: [String], in directory: URL) async throws {
    let outcome = try await Subprocess.run(arguments, executable: tool, currentDirectory: directory)
    guard outcome.status == 0 else {
        throw ToolFailed(description: "\(tool) \(arguments.joined(separator: " ")) exited \(outcome.status): " + outcome.stderrText)
    }
}
