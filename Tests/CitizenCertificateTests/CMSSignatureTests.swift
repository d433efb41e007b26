import CitizenCertificate
import Crypto
import Foundation
import SwiftASN1
import Testing
@_spi(CMS) import X509

/// A CMS SignedData written by the test with swift-asn1's serializer, so that a signed attribute can be made
/// to disagree with the content while the signature over the attributes stays valid.
struct HandMadeCMS {
    static let data: ASN1ObjectIdentifier = [1, 2, 840, 113549, 1, 7, 1]
    static let signedData: ASN1ObjectIdentifier = [1, 2, 840, 113549, 1, 7, 2]
    static let contentType: ASN1ObjectIdentifier = [1, 2, 840, 113549, 1, 9, 3]
    static let messageDigest: ASN1ObjectIdentifier = [1, 2, 840, 113549, 1, 9, 4]
    static let sha256: ASN1ObjectIdentifier = [2, 16, 840, 1, 101, 3, 4, 2, 1]
    static let rsaEncryption: ASN1ObjectIdentifier = [1, 2, 840, 113549, 1, 1, 1]
    static let zero = ASN1Identifier(tagWithNumber: 0, tagClass: .contextSpecific)

    var content: [UInt8]
    var certificate: Certificate
    var key: Certificate.PrivateKey
    var attributes: [(ASN1ObjectIdentifier, ASN1Any)]

    init(content: [UInt8], certificate: Certificate, key: Certificate.PrivateKey) throws {
        self.content = content
        self.certificate = certificate
        self.key = key
        attributes = [(Self.contentType, try ASN1Any(erasing: Self.data)),
                      (Self.messageDigest, try ASN1Any(erasing: ASN1OctetString(contentBytes: Array(SHA256.hash(data: content))[...])))]
    }

    func serializeAttributes(_ coder: inout DER.Serializer, identifier: ASN1Identifier) throws {
        try coder.appendConstructedNode(identifier: identifier) { set in
            for (type, value) in attributes {
                try set.appendConstructedNode(identifier: .sequence) { attribute in
                    try attribute.serialize(type)
                    try attribute.appendConstructedNode(identifier: .set) { try $0.serialize(value) }
                }
            }
        }
    }

    func der() throws -> [UInt8] {
        var signedBytes = DER.Serializer()
        try serializeAttributes(&signedBytes, identifier: .set)
        let signature = TestPKI.sign(signedBytes.serializedBytes, with: key)
        var coder = DER.Serializer()
        try coder.appendConstructedNode(identifier: .sequence) { info in
            try info.serialize(Self.signedData)
            try info.appendConstructedNode(identifier: Self.zero) { explicit in
                try explicit.appendConstructedNode(identifier: .sequence) { signed in
                    try signed.serialize(1)
                    try signed.appendConstructedNode(identifier: .set) { try $0.appendConstructedNode(identifier: .sequence) { try $0.serialize(Self.sha256) } }
                    try signed.appendConstructedNode(identifier: .sequence) { encapsulated in
                        try encapsulated.serialize(Self.data)
                        try encapsulated.appendConstructedNode(identifier: Self.zero) { try $0.serialize(ASN1OctetString(contentBytes: content[...])) }
                    }
                    try signed.appendConstructedNode(identifier: Self.zero) { try $0.serialize(certificate) }
                    try signed.appendConstructedNode(identifier: .set) { infos in
                        try infos.appendConstructedNode(identifier: .sequence) { signer in
                            try signer.serialize(1)
                            try signer.appendConstructedNode(identifier: .sequence) { sid in
                                try sid.serialize(certificate.issuer)
                                try sid.serialize(ArraySlice(certificate.serialNumber.bytes))
                            }
                            try signer.appendConstructedNode(identifier: .sequence) { try $0.serialize(Self.sha256) }
                            try serializeAttributes(&signer, identifier: Self.zero)
                            try signer.appendConstructedNode(identifier: .sequence) {
                                try $0.serialize(Self.rsaEncryption)
                                try $0.serialize(ASN1Null())
                            }
                            try signer.serialize(ASN1OctetString(contentBytes: signature[...]))
                        }
                    }
                }
            }
        }
        return coder.serializedBytes
    }
}

@Suite("Citizen certificate login with a CMS (PKCS#7) signature")
struct CMSSignatureTests {
    let pki = TestPKI.shared

    func verify(_ cms: [UInt8], nonce: [UInt8], chain: [Certificate] = []) async throws(CitizenCertificateRejection) -> VerifiedCitizen {
        try await pki.verifier().verify(certificateChain: chain.map(der), signature: cms, over: nonce, expectedName: "王小明", at: testNow)
    }

    @Test("the signed text is the nonce in lower-case hex")
    func signedText() {
        #expect(CitizenCertificateVerifier.signedText(of: [0x00, 0x0A, 0xFF]) == "000aff")
    }

    @Test("swift-certificates' own CMS, detached with signed attributes or enveloping without, RSA or P-256, is accepted")
    func swiftCertificatesCMS() async throws {
        let nonce = CitizenCertificateVerifier.makeNonce()
        let text = Array(CitizenCertificateVerifier.signedText(of: nonce).utf8)
        for (leaf, key) in [(pki.leaf(), pki.rsaLeafKey), (pki.leaf(key: pki.p256LeafKey), pki.p256LeafKey)] {
            for (time, detached) in [(Optional(testNow), true), (nil, false)] {
                let cms = try CMS.sign(text, additionalIntermediateCertificates: [pki.moica.certificate], certificate: leaf,
                                       privateKey: key, signingTime: time, detached: detached)
                let citizen = try await verify(cms, nonce: nonce)
                #expect(citizen.name == "王小明")
                // Over the raw nonce instead of its text: not what the page asked the component to sign.
                let raw = try CMS.sign(nonce, certificate: leaf, privateKey: key, signingTime: time, detached: detached)
                await #expect(throws: CitizenCertificateRejection.badSignature) { try await verify(raw, nonce: nonce) }
            }
        }
    }

    @Test("signed attributes that disagree with the content are refused, though the signature over them is good")
    func inconsistentSignedAttributes() async throws {
        let nonce = CitizenCertificateVerifier.makeNonce()
        let text = Array(CitizenCertificateVerifier.signedText(of: nonce).utf8)
        let good = try HandMadeCMS(content: text, certificate: pki.leaf(), key: pki.rsaLeafKey)
        _ = try await verify(try good.der(), nonce: nonce, chain: [pki.leaf(), pki.moica.certificate])

        var otherDigest = good
        otherDigest.attributes[1].1 = try ASN1Any(erasing: ASN1OctetString(contentBytes: Array(SHA256.hash(data: [1, 2, 3]))[...]))
        var otherType = good
        otherType.attributes[0].1 = try ASN1Any(erasing: HandMadeCMS.signedData)
        var noType = good
        noType.attributes.removeFirst()
        var twoDigests = good
        twoDigests.attributes.append(twoDigests.attributes[1])
        for message in [otherDigest, otherType, noType, twoDigests] {
            await #expect(throws: CitizenCertificateRejection.badSignature) { try await verify(try message.der(), nonce: nonce) }
        }
    }

    @Test("the signer must be the card's certificate that was sent, and a chain that fails still fails")
    func signerAndChain() async throws {
        let nonce = CitizenCertificateVerifier.makeNonce()
        let text = Array(CitizenCertificateVerifier.signedText(of: nonce).utf8)
        let other = pki.leaf(serial: [0x01, 0x02])
        let cms = try CMS.sign(text, certificate: pki.leaf(), privateKey: pki.rsaLeafKey, signingTime: testNow)
        await #expect(throws: CitizenCertificateRejection.signerMismatch) { try await verify(cms, nonce: nonce, chain: [other]) }
        let expired = pki.leaf(notAfter: utc("2026-01-01T00:00:00Z"))
        let late = try CMS.sign(text, certificate: expired, privateKey: pki.rsaLeafKey, signingTime: testNow)
        await #expect(throws: CitizenCertificateRejection.expired) { try await verify(late, nonce: nonce, chain: [expired, pki.moica.certificate]) }
        await #expect(throws: CitizenCertificateRejection.malformedCertificate) {
            try await verify([0x30, 0x03, 0x02, 0x01, 0x01], nonce: nonce)
        }
    }
}
