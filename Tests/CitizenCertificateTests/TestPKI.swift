import CitizenCertificate
import Crypto
import Foundation
import SwiftASN1
import X509
import _CryptoExtras

/// The moment every test judges certificates at, unless it says otherwise.
let testNow = utc("2026-06-01T00:00:00Z")

func utc(_ iso: String) -> Date {
    guard let date = ISO8601DateFormatter().date(from: iso) else { fatalError("bad test date \(iso)") }
    return date
}

func days(_ count: Double, from date: Date = testNow) -> Date {
    date.addingTimeInterval(count * 86_400)
}

func der(_ certificate: Certificate) -> [UInt8] {
    var serializer = DER.Serializer()
    try! serializer.serialize(certificate)
    return serializer.serializedBytes
}

/// A certificate authority made by the tests, with its key.
struct TestCA: Sendable {
    let certificate: Certificate
    let key: Certificate.PrivateKey
    var der: [UInt8] { CitizenCertificateTests.der(certificate) }
}

/// A test PKI shaped like MOICA's: root (as GRCA) → "MOICA test" intermediate → citizens' leaves,
/// and an unrelated root with an impostor intermediate carrying the very same name.
struct TestPKI: Sendable {
    static let shared = TestPKI()

    let root: TestCA
    let moica: TestCA
    let otherRoot: TestCA
    let impostorMOICA: TestCA
    let rsaLeafKey: Certificate.PrivateKey
    let p256LeafKey: Certificate.PrivateKey
    let p256LeafRawKey: P256.Signing.PrivateKey

    static let rootName = name(try! [
        .init(type: .RDNAttributeType.countryName, printableString: "TW"),
        .init(type: .RDNAttributeType.organizationName, utf8String: "行政院"),
        .init(type: .RDNAttributeType.commonName, utf8String: "Test Government Root CA"),
    ])
    static let moicaName = name(try! [
        .init(type: .RDNAttributeType.countryName, printableString: "TW"),
        .init(type: .RDNAttributeType.organizationName, utf8String: "行政院"),
        .init(type: .RDNAttributeType.commonName, utf8String: "MOICA test"),
    ])
    static let otherRootName = name(try! [
        .init(type: .RDNAttributeType.countryName, printableString: "TW"),
        .init(type: .RDNAttributeType.commonName, utf8String: "Unrelated Root CA"),
    ])

    private init() {
        let rootKey = Certificate.PrivateKey(try! _RSA.Signing.PrivateKey(keySize: .bits2048))
        root = Self.makeCA(subject: Self.rootName, key: rootKey, serial: 1, issuer: nil)
        let moicaKey = Certificate.PrivateKey(try! _RSA.Signing.PrivateKey(keySize: .bits2048))
        moica = Self.makeCA(subject: Self.moicaName, key: moicaKey, serial: 2, issuer: root)
        otherRoot = Self.makeCA(subject: Self.otherRootName, key: Certificate.PrivateKey(P256.Signing.PrivateKey()), serial: 1, issuer: nil)
        impostorMOICA = Self.makeCA(
            subject: Self.moicaName, key: Certificate.PrivateKey(P256.Signing.PrivateKey()), serial: 2, issuer: otherRoot)
        rsaLeafKey = Certificate.PrivateKey(try! _RSA.Signing.PrivateKey(keySize: .bits2048))
        p256LeafRawKey = P256.Signing.PrivateKey()
        p256LeafKey = Certificate.PrivateKey(p256LeafRawKey)
    }

    static func name(_ attributes: [RelativeDistinguishedName.Attribute]) -> DistinguishedName {
        try! DistinguishedName(attributes)
    }

    static func makeCA(
        subject: DistinguishedName, key: Certificate.PrivateKey, serial: Int, issuer: TestCA?,
        notBefore: Date = utc("2020-01-01T00:00:00Z"), notAfter: Date = utc("2040-01-01T00:00:00Z")
    ) -> TestCA {
        let extensions = try! Certificate.Extensions([
            Certificate.Extension(BasicConstraints.isCertificateAuthority(maxPathLength: nil), critical: true),
            Certificate.Extension(KeyUsage(keyCertSign: true, cRLSign: true), critical: true),
        ])
        let certificate = try! Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(serial), publicKey: key.publicKey,
            notValidBefore: notBefore, notValidAfter: notAfter,
            issuer: issuer?.certificate.subject ?? subject, subject: subject,
            extensions: extensions, issuerPrivateKey: issuer?.key ?? key)
        return TestCA(certificate: certificate, key: key)
    }

    /// A citizen's certificate as MOICA issues it: CN in UTF8String, a card serialNumber attribute,
    /// keyUsage digitalSignature + nonRepudiation, the ID's last four in subjectDirectoryAttributes.
    func leaf(
        name holder: String = "王小明",
        key: Certificate.PrivateKey? = nil,
        issuer: TestCA? = nil,
        serial: [UInt8] = [0x9A, 0x31, 0x7C, 0x05, 0xE2, 0x44, 0x10, 0x01],
        notBefore: Date = utc("2025-01-01T00:00:00Z"),
        notAfter: Date = utc("2030-01-01T00:00:00Z"),
        keyUsage: KeyUsage? = KeyUsage(digitalSignature: true, nonRepudiation: true),
        idLastFour: String? = "6789",
        isCA: Bool = false,
        commonName: CommonNameEncoding = .utf8String
    ) -> Certificate {
        let issuer = issuer ?? moica
        var extensions = Certificate.Extensions()
        if let keyUsage { try! extensions.append(Certificate.Extension(keyUsage, critical: true)) }
        if isCA {
            try! extensions.append(Certificate.Extension(BasicConstraints.isCertificateAuthority(maxPathLength: nil), critical: true))
        }
        if let idLastFour { try! extensions.append(Self.subjectDirectoryAttributes(idLastFour: idLastFour)) }
        var attributes: [RelativeDistinguishedName.Attribute] = [
            try! .init(type: .RDNAttributeType.countryName, printableString: "TW"),
            try! .init(type: [2, 5, 4, 5], printableString: "0000000112831644"),
        ]
        switch commonName {
        case .utf8String:
            attributes.insert(.init(type: .RDNAttributeType.commonName, utf8String: holder), at: 1)
        case .bmpString:
            let utf16BigEndian = holder.utf16.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] }
            let value = try! ASN1Any(erasing: ASN1BMPString(contentBytes: utf16BigEndian[...]))
            attributes.insert(.init(type: .RDNAttributeType.commonName, value: value), at: 1)
        case .absent:
            break
        }
        let subject = Self.name(attributes)
        return try! Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(bytes: serial), publicKey: (key ?? rsaLeafKey).publicKey,
            notValidBefore: notBefore, notValidAfter: notAfter, issuer: issuer.certificate.subject, subject: subject,
            extensions: extensions, issuerPrivateKey: issuer.key)
    }

    /// SEQUENCE OF Attribute { 2.16.886.1.100.2.51, SET { PrintableString } }.
    static func subjectDirectoryAttributes(idLastFour: String) -> Certificate.Extension {
        var serializer = DER.Serializer()
        try! serializer.appendConstructedNode(identifier: .sequence) { attributes in
            try attributes.appendConstructedNode(identifier: .sequence) { attribute in
                try attribute.serialize([2, 16, 886, 1, 100, 2, 51] as ASN1ObjectIdentifier)
                try attribute.appendConstructedNode(identifier: .set) { values in
                    try values.serialize(ASN1PrintableString(idLastFour))
                }
            }
        }
        return Certificate.Extension(oid: [2, 5, 29, 9], critical: false, value: serializer.serializedBytes[...])
    }

    /// What the card does: sign the nonce with the leaf's key (PKCS#1 v1.5 SHA-256 or ECDSA SHA-256, DER).
    static func sign(_ nonce: [UInt8], with key: Certificate.PrivateKey) -> [UInt8] {
        let algorithm: Certificate.SignatureAlgorithm =
            P256.Signing.PublicKey(key.publicKey) != nil ? .ecdsaWithSHA256 : .sha256WithRSAEncryption
        return try! key.sign(bytes: nonce, signatureAlgorithm: algorithm).rawRepresentation
    }

    /// Fresh CRLs of both CAs, none revoking anything unless asked.
    func revocationLists(
        moicaRevokes revoked: [Certificate.SerialNumber] = [], rootRevokes rootRevoked: [Certificate.SerialNumber] = []
    ) -> [CertificateRevocationList] {
        [
            try! CertificateRevocationList(derEncoded: TestCRL.make(issuer: root, revoked: rootRevoked)),
            try! CertificateRevocationList(derEncoded: TestCRL.make(issuer: moica, revoked: revoked)),
        ]
    }

    func verifier(
        revocationLists: [CertificateRevocationList]? = nil,
        intermediates: [Certificate] = [],
        revocation: RevocationOptions = RevocationOptions()
    ) -> CitizenCertificateVerifier {
        try! CitizenCertificateVerifier(
            trustAnchors: [root.certificate], intermediates: intermediates,
            revocationLists: revocationLists ?? self.revocationLists(), revocation: revocation, now: { testNow })
    }
}

enum CommonNameEncoding {
    case utf8String, bmpString, absent
}

/// X.509 v2 CRLs written with SwiftASN1, as swift-certificates has no CRL builder.
enum TestCRL {
    struct Revoked {
        var serial: Certificate.SerialNumber
        var date: Date = days(-10)
        var reasonCode: Int? = 1  // keyCompromise
    }

    static func make(
        issuer: TestCA,
        revoked: [Certificate.SerialNumber] = [],
        thisUpdate: Date = days(-1),
        nextUpdate: Date? = days(7),
        extensions: [Certificate.Extension] = [],
        signingKey: Certificate.PrivateKey? = nil
    ) -> [UInt8] {
        make(issuerName: issuer.certificate.subject, revoked: revoked.map { Revoked(serial: $0) }, thisUpdate: thisUpdate,
             nextUpdate: nextUpdate, extensions: extensions, signingKey: signingKey ?? issuer.key)
    }

    static func make(
        issuerName: DistinguishedName, revoked: [Revoked], thisUpdate: Date, nextUpdate: Date?,
        extensions: [Certificate.Extension], signingKey: Certificate.PrivateKey
    ) -> [UInt8] {
        let isECDSA = P256.Signing.PublicKey(signingKey.publicKey) != nil
        let algorithm: Certificate.SignatureAlgorithm = isECDSA ? .ecdsaWithSHA256 : .sha256WithRSAEncryption
        func algorithmIdentifier(_ coder: inout DER.Serializer) throws {
            try coder.appendConstructedNode(identifier: .sequence) { identifier in
                if isECDSA {
                    try identifier.serialize([1, 2, 840, 10045, 4, 3, 2] as ASN1ObjectIdentifier)
                } else {
                    try identifier.serialize([1, 2, 840, 113549, 1, 1, 11] as ASN1ObjectIdentifier)
                    try identifier.serialize(ASN1Null())
                }
            }
        }

        var tbs = DER.Serializer()
        try! tbs.appendConstructedNode(identifier: .sequence) { list in
            try list.serialize(1)  // v2
            try algorithmIdentifier(&list)
            try list.serialize(issuerName)
            try list.serialize(time(thisUpdate))
            if let nextUpdate { try list.serialize(time(nextUpdate)) }
            if !revoked.isEmpty {
                try list.appendConstructedNode(identifier: .sequence) { entries in
                    for entry in revoked {
                        try entries.appendConstructedNode(identifier: .sequence) { fields in
                            try fields.serialize(entry.serial.bytes)
                            try fields.serialize(time(entry.date))
                            if let reasonCode = entry.reasonCode {
                                try fields.appendConstructedNode(identifier: .sequence) { entryExtensions in
                                    let reason: [UInt8] = [0x0A, 0x01, UInt8(reasonCode)]  // ENUMERATED
                                    try entryExtensions.serialize(
                                        Certificate.Extension(oid: [2, 5, 29, 21], critical: false, value: reason[...]))
                                }
                            }
                        }
                    }
                }
            }
            let crlNumber = Certificate.Extension(oid: [2, 5, 29, 20], critical: false, value: [0x02, 0x01, 0x07][...])
            try list.appendConstructedNode(identifier: ASN1Identifier(tagWithNumber: 0, tagClass: .contextSpecific)) { tagged in
                try tagged.appendConstructedNode(identifier: .sequence) { all in
                    for crlExtension in [crlNumber] + extensions { try all.serialize(crlExtension) }
                }
            }
        }
        let tbsBytes = tbs.serializedBytes
        let signature = try! signingKey.sign(bytes: tbsBytes, signatureAlgorithm: algorithm).rawRepresentation

        var crl = DER.Serializer()
        try! crl.appendConstructedNode(identifier: .sequence) { list in
            list.serializeRawBytes(tbsBytes)
            try algorithmIdentifier(&list)
            try list.serialize(ASN1BitString(bytes: signature[...]))
        }
        return crl.serializedBytes
    }

    private static func time(_ date: Date) throws -> UTCTime {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        return try UTCTime(
            year: parts.year!, month: parts.month!, day: parts.day!, hours: parts.hour!, minutes: parts.minute!,
            seconds: parts.second!)
    }
}
