import Crypto
import Foundation
import SwiftASN1
import X509

/// A CMS `SignedData` (RFC 5652 §5; PKCS#7) as the MOICA card-reader component (HiPKI Local Server)
/// returns it for `signatureType: "PKCS7"`: one signer, content enveloped or detached.
///
/// Read with swift-asn1's BER parser. swift-certificates has CMS types too, but they are internal, and its
/// public (SPI) `CMS.isValidSignature` refuses a SignerInfo whose signatureAlgorithm is `rsaEncryption`,
/// which is what OpenSSL and card middleware write for RSA keys; so the structure is read here and the
/// checks in `signer(for:among:)` are ours. Nothing here reads bytes by hand: every field goes through
/// swift-asn1 (and certificates and names through swift-certificates).
struct CMSSignedMessage {
    static let signedDataType: ASN1ObjectIdentifier = [1, 2, 840, 113549, 1, 7, 2]
    static let dataType: ASN1ObjectIdentifier = [1, 2, 840, 113549, 1, 7, 1]
    static let contentTypeAttribute: ASN1ObjectIdentifier = [1, 2, 840, 113549, 1, 9, 3]
    static let messageDigestAttribute: ASN1ObjectIdentifier = [1, 2, 840, 113549, 1, 9, 4]
    static let sha256: ASN1ObjectIdentifier = [2, 16, 840, 1, 101, 3, 4, 2, 1]

    struct FormatError: Error, CustomStringConvertible {
        let description: String
    }

    enum SignerIdentifier {
        case issuerAndSerialNumber(issuer: DistinguishedName, serialNumber: Certificate.SerialNumber)
        case subjectKeyIdentifier([UInt8])

        func names(_ certificate: Certificate) -> Bool {
            switch self {
            case .issuerAndSerialNumber(let issuer, let serialNumber):
                certificate.issuer == issuer && certificate.serialNumber == serialNumber
            case .subjectKeyIdentifier(let identifier):
                (try? certificate.extensions.subjectKeyIdentifier)?.keyIdentifier.elementsEqual(identifier) ?? false
            }
        }
    }

    struct Attribute {
        let type: ASN1ObjectIdentifier
        let values: [ASN1Node]
    }

    struct Signer {
        let identifier: SignerIdentifier
        let digestAlgorithm: ASN1ObjectIdentifier
        /// The signed attributes and their DER encoding as a SET OF (RFC 5652 §5.4: the signature is over
        /// that, with the SET OF tag, not over the [0] IMPLICIT tag the SignerInfo carries them with).
        let signedAttributes: (attributes: [Attribute], der: [UInt8])?
        let signature: [UInt8]
    }

    let contentType: ASN1ObjectIdentifier
    /// Nil when the signature is detached.
    let content: [UInt8]?
    let certificates: [Certificate]
    let signers: [Signer]

    static let implicitZero = ASN1Identifier(tagWithNumber: 0, tagClass: .contextSpecific)

    init(berEncoded bytes: [UInt8]) throws {
        let root = try BER.parse(bytes)
        let signedData = try BER.sequence(root, identifier: .sequence) { nodes in
            let type = try ASN1ObjectIdentifier(berEncoded: &nodes)
            guard type == Self.signedDataType else { throw FormatError(description: "content type \(type) is not SignedData") }
            return try BER.explicitlyTagged(&nodes, tagNumber: 0, tagClass: .contextSpecific) { $0 }
        }
        (contentType, content, certificates, signers) = try BER.sequence(signedData, identifier: .sequence) { nodes in
            _ = try Int(berEncoded: &nodes) // version
            _ = nodes.next() // digestAlgorithms: the signer names its own, and only SHA-256 is accepted there
            let encapsulated = try BER.sequence(try Self.next(&nodes), identifier: .sequence) { inner in
                let type = try ASN1ObjectIdentifier(berEncoded: &inner)
                let content = try BER.optionalExplicitlyTagged(&inner, tagNumber: 0, tagClass: .contextSpecific) {
                    try ASN1OctetString(berEncoded: $0)
                }
                return (type, content.map { Array($0.bytes) })
            }
            var certificates: [Certificate] = []
            var signerInfos: ASN1Node?
            while let node = nodes.next() {
                if node.identifier == Self.implicitZero, case .constructed(let choices) = node.content {
                    // CertificateChoices: only plain certificates (SEQUENCE) matter here.
                    for choice in choices where choice.identifier == .sequence {
                        certificates.append(try Certificate(derEncoded: Array(choice.encodedBytes)))
                    }
                } else if node.identifier == .set {
                    signerInfos = node
                }
                // [1] revocationInfoChoices: revocation comes from the configured CRLs, never from the client.
            }
            guard let signerInfos else { throw FormatError(description: "no signerInfos") }
            let signers = try BER.set(signerInfos, identifier: .set) { inner in
                var signers: [Signer] = []
                while let node = inner.next() { signers.append(try Signer(node)) }
                return signers
            }
            return (encapsulated.0, encapsulated.1, certificates, signers)
        }
    }

    static func next(_ nodes: inout ASN1NodeCollection.Iterator) throws -> ASN1Node {
        guard let node = nodes.next() else { throw FormatError(description: "a required field is missing") }
        return node
    }

    /// Checks that the message signs exactly `expectedContent` and returns the signer's certificate.
    ///
    /// - The encapsulated content type is id-data, and the content (enveloped) is `expectedContent`, or the
    ///   signature is detached and is checked over `expectedContent`.
    /// - One signer, with SHA-256.
    /// - The signer's certificate is found among those the message carries and those sent beside it, by
    ///   issuer and serial number or by subject key identifier; when a certificate was sent (the one the page
    ///   read from the card), the signer must be that very certificate.
    /// - Signed attributes, when present: exactly one contentType equal to the content type, exactly one
    ///   messageDigest equal to SHA-256 of the content, and the signature over their DER SET OF encoding.
    ///   Without them, the signature is over the content itself.
    func signer(over expectedContent: [UInt8], sent: [Certificate]) throws(CitizenCertificateRejection) -> Certificate {
        guard contentType == Self.dataType, signers.count == 1, let signer = signers.first else { throw .badSignature }
        if let content, content != expectedContent { throw .badSignature }
        guard signer.digestAlgorithm == Self.sha256 else { throw .badSignature }
        guard let certificate = (certificates + sent).first(where: signer.identifier.names) else { throw .signerMismatch }
        if let card = sent.first, card != certificate { throw .signerMismatch }

        let signedBytes: [UInt8]
        if let signed = signer.signedAttributes {
            let attributes = signed.attributes
            func only(_ type: ASN1ObjectIdentifier) -> ASN1Node? {
                let found = attributes.filter { $0.type == type }
                guard found.count == 1, found[0].values.count == 1 else { return nil }
                return found[0].values[0]
            }
            guard let typeNode = only(Self.contentTypeAttribute), let digestNode = only(Self.messageDigestAttribute),
                  let type = try? ASN1ObjectIdentifier(berEncoded: typeNode), type == contentType,
                  let digest = try? ASN1OctetString(berEncoded: digestNode),
                  Array(digest.bytes) == Array(SHA256.hash(data: expectedContent))
            else { throw .badSignature }
            signedBytes = signed.der
        } else {
            signedBytes = expectedContent
        }
        guard NonceSignature.isValid(signer.signature, over: signedBytes, by: certificate.publicKey) else { throw .badSignature }
        return certificate
    }
}

extension CMSSignedMessage.Signer {
    init(_ node: ASN1Node) throws {
        self = try BER.sequence(node, identifier: .sequence) { nodes in
            _ = try Int(berEncoded: &nodes) // version
            let sid = try CMSSignedMessage.next(&nodes)
            let identifier: CMSSignedMessage.SignerIdentifier
            if sid.identifier == .sequence {
                identifier = try BER.sequence(sid, identifier: .sequence) { inner in
                    let issuer = try DistinguishedName(derEncoded: Array(try CMSSignedMessage.next(&inner).encodedBytes))
                    let serial = try ArraySlice<UInt8>(berEncoded: &inner)
                    return .issuerAndSerialNumber(issuer: issuer, serialNumber: Certificate.SerialNumber(bytes: serial))
                }
            } else {
                let key = try ASN1OctetString(berEncoded: sid, withIdentifier: CMSSignedMessage.implicitZero)
                identifier = .subjectKeyIdentifier(Array(key.bytes))
            }
            let digestAlgorithm = try BER.sequence(try CMSSignedMessage.next(&nodes), identifier: .sequence) { inner in
                let algorithm = try ASN1ObjectIdentifier(berEncoded: &inner)
                while inner.next() != nil {} // parameters (NULL or absent)
                return algorithm
            }
            var signedAttributes: (attributes: [CMSSignedMessage.Attribute], der: [UInt8])?
            var lookAhead = nodes
            if let node = lookAhead.next(), node.identifier == CMSSignedMessage.implicitZero, case .constructed(let children) = node.content {
                nodes = lookAhead
                var serializer = DER.Serializer()
                serializer.appendConstructedNode(identifier: .set) { coder in
                    for child in children { coder.serialize(child) }
                }
                let attributes = try children.map { child in
                    try BER.sequence(child, identifier: .sequence) { inner in
                        let type = try ASN1ObjectIdentifier(berEncoded: &inner)
                        let values = try BER.set(try CMSSignedMessage.next(&inner), identifier: .set) { set in
                            var values: [ASN1Node] = []
                            while let value = set.next() { values.append(value) }
                            return values
                        }
                        return CMSSignedMessage.Attribute(type: type, values: values)
                    }
                }
                signedAttributes = (attributes, serializer.serializedBytes)
            }
            // signatureAlgorithm: rsaEncryption, sha256WithRSAEncryption or ecdsa-with-SHA256; the certificate's
            // key decides how the signature is checked, always with SHA-256.
            _ = try CMSSignedMessage.next(&nodes)
            let signature = try ASN1OctetString(berEncoded: &nodes)
            while nodes.next() != nil {} // unsignedAttrs
            return Self(identifier: identifier, digestAlgorithm: digestAlgorithm, signedAttributes: signedAttributes,
                        signature: Array(signature.bytes))
        }
    }
}
