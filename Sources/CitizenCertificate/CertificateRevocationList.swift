import Foundation
import SwiftASN1
import X509

/// An X.509 v2 certificate revocation list (RFC 5280 §5), read with SwiftASN1 because swift-certificates
/// has no CRL type.
///
/// Only complete CRLs are interpreted. A CRL with a critical extension this type does not process
/// (issuingDistributionPoint of a partitioned CRL, deltaCRLIndicator, an indirect CRL's
/// certificateIssuer) is still read, but ``isInterpretable`` is false and the verifier treats the
/// issuer's revocation status as unknown. For MOICA, configure the complete CRL, not a partition.
public struct CertificateRevocationList: Sendable {
    /// One entry of `revokedCertificates`.
    public struct Entry: Sendable, Hashable {
        let serialBytes: ArraySlice<UInt8>
        public let revocationDate: Date
        /// The reasonCode entry extension (RFC 5280 §5.3.1), when present; 6 is certificateHold (停用).
        public let reasonCode: Int?

        /// The serial number in upper-case hex without leading zero bytes, as ``VerifiedCitizen`` shows it.
        public var serialNumber: String { SerialBytes.hex(serialBytes) }
    }

    public let issuer: DistinguishedName
    public let thisUpdate: Date
    /// Absent only in CRLs that break RFC 5280; the verifier refuses to rely on such a list.
    public let nextUpdate: Date?
    public let entries: [Entry]
    /// OIDs of critical CRL or entry extensions that this type does not process.
    public let unsupportedCriticalExtensions: [String]

    /// Whether the list can prove that a certificate is *not* revoked.
    public var isInterpretable: Bool { unsupportedCriticalExtensions.isEmpty }

    let tbsCertList: ArraySlice<UInt8>
    let signatureAlgorithm: Certificate.SignatureAlgorithm?
    let signatureAlgorithmOID: ASN1ObjectIdentifier
    let signature: ArraySlice<UInt8>
    private let revokedSerials: Set<ArraySlice<UInt8>>

    /// Reads one DER-encoded CRL.
    public init(derEncoded bytes: [UInt8]) throws(CitizenCertificateConfigurationError) {
        do {
            self = try Self.parse(bytes)
        } catch let error as CitizenCertificateConfigurationError {
            throw error
        } catch {
            throw .unreadableRevocationList(String(describing: error))
        }
    }

    /// Reads every CRL in a file: DER, or PEM with one or more `X509 CRL` blocks.
    public static func load(pemOrDER bytes: [UInt8]) throws(CitizenCertificateConfigurationError) -> [Self] {
        guard let text = pemText(bytes) else { return [try Self(derEncoded: bytes)] }
        let documents: [PEMDocument]
        do {
            documents = try PEMDocument.parseMultiple(pemString: text).filter { $0.discriminator == "X509 CRL" }
        } catch {
            throw .unreadableRevocationList(String(describing: error))
        }
        guard !documents.isEmpty else { throw .unreadableRevocationList("no X509 CRL block in the PEM text") }
        var lists: [Self] = []
        for document in documents { lists.append(try Self(derEncoded: document.derBytes)) }
        return lists
    }

    /// Whether the list names this serial number.
    public func contains(_ serialNumber: Certificate.SerialNumber) -> Bool {
        revokedSerials.contains(SerialBytes.normalized(serialNumber.bytes))
    }

    /// Whether `issuer`'s public key made the CRL's signature.
    public func isSigned(by issuer: Certificate) -> Bool {
        guard let signatureAlgorithm else { return false }
        return issuer.publicKey.isValidSignature(signature, for: tbsCertList, signatureAlgorithm: signatureAlgorithm)
    }
}

extension CertificateRevocationList: CustomStringConvertible {
    public var description: String {
        let next = nextUpdate.map { "\($0)" } ?? "none"
        return "CRL(issuer: \(issuer), thisUpdate: \(thisUpdate), nextUpdate: \(next), entries: \(entries.count))"
    }
}

// MARK: - Parsing

extension CertificateRevocationList {
    private init(
        issuer: DistinguishedName, thisUpdate: Date, nextUpdate: Date?, entries: [Entry], serials: Set<ArraySlice<UInt8>>,
        unsupportedCriticalExtensions: [String], tbsCertList: ArraySlice<UInt8>, signatureAlgorithmOID: ASN1ObjectIdentifier,
        signature: ArraySlice<UInt8>
    ) {
        self.issuer = issuer
        self.thisUpdate = thisUpdate
        self.nextUpdate = nextUpdate
        self.entries = entries
        self.revokedSerials = serials
        self.unsupportedCriticalExtensions = unsupportedCriticalExtensions
        self.tbsCertList = tbsCertList
        self.signatureAlgorithmOID = signatureAlgorithmOID
        self.signatureAlgorithm = SignatureAlgorithms.byOID[signatureAlgorithmOID]
        self.signature = signature
    }

    // CRL extensions that may be marked critical and need no processing to rely on the list.
    private static let harmlessCriticalExtensions: Set<ASN1ObjectIdentifier> = [
        [2, 5, 29, 35],  // authorityKeyIdentifier
        [2, 5, 29, 20],  // cRLNumber
    ]
    private static let reasonCodeOID: ASN1ObjectIdentifier = [2, 5, 29, 21]
    private static let invalidityDateOID: ASN1ObjectIdentifier = [2, 5, 29, 24]

    private static func parse(_ bytes: [UInt8]) throws -> Self {
        let root = try DER.parse(bytes)
        return try DER.sequence(root, identifier: .sequence) { nodes in
            guard let tbsNode = nodes.next(), let algorithmNode = nodes.next(), let signatureNode = nodes.next() else {
                throw CitizenCertificateConfigurationError.unreadableRevocationList("CertificateList needs three fields")
            }
            let outerAlgorithm = try algorithmOID(algorithmNode)
            let signature = try ASN1BitString(derEncoded: signatureNode)
            guard signature.paddingBits == 0 else {
                throw CitizenCertificateConfigurationError.unreadableRevocationList("signature has padding bits")
            }
            return try DER.sequence(tbsNode, identifier: .sequence) { nodes in
                let version: Int? = try DER.optionalImplicitlyTagged(&nodes, tag: .integer)
                guard version == nil || version == 1 else {
                    throw CitizenCertificateConfigurationError.unreadableRevocationList("CRL version \(version ?? 0)")
                }
                guard let innerAlgorithmNode = nodes.next() else {
                    throw CitizenCertificateConfigurationError.unreadableRevocationList("TBSCertList has no signature field")
                }
                guard try algorithmOID(innerAlgorithmNode) == outerAlgorithm else {
                    throw CitizenCertificateConfigurationError.unreadableRevocationList(
                        "TBSCertList and CertificateList name different signature algorithms")
                }
                guard let issuerNode = nodes.next() else {
                    throw CitizenCertificateConfigurationError.unreadableRevocationList("TBSCertList has no issuer")
                }
                let issuer = try DistinguishedName(derEncoded: issuerNode)
                guard let thisUpdateNode = nodes.next() else {
                    throw CitizenCertificateConfigurationError.unreadableRevocationList("no thisUpdate")
                }
                let thisUpdate = try date(thisUpdateNode)
                var nextUpdate: Date?
                if let node = peek(nodes), node.identifier == .utcTime || node.identifier == .generalizedTime {
                    _ = nodes.next()
                    nextUpdate = try date(node)
                }
                var entries: [Entry] = []
                var serials: Set<ArraySlice<UInt8>> = []
                var unsupported: [String] = []
                if let node = peek(nodes), node.identifier == .sequence {
                    _ = nodes.next()
                    guard case .constructed(let entryNodes) = node.content else {
                        throw CitizenCertificateConfigurationError.unreadableRevocationList("revokedCertificates is primitive")
                    }
                    for entryNode in entryNodes {
                        let (entry, serial, critical) = try parseEntry(entryNode)
                        entries.append(entry)
                        serials.insert(serial)
                        unsupported.append(contentsOf: critical)
                    }
                }
                let extensions = try DER.optionalExplicitlyTagged(&nodes, tagNumber: 0, tagClass: .contextSpecific) { node in
                    try DER.sequence(of: Certificate.Extension.self, identifier: .sequence, rootNode: node)
                } ?? []
                for crlExtension in extensions where crlExtension.critical
                    && !harmlessCriticalExtensions.contains(crlExtension.oid) {
                    unsupported.append(crlExtension.oid.description)
                }
                var seen: Set<String> = []
                return Self(
                    issuer: issuer, thisUpdate: thisUpdate, nextUpdate: nextUpdate, entries: entries, serials: serials,
                    unsupportedCriticalExtensions: unsupported.filter { seen.insert($0).inserted },
                    tbsCertList: tbsNode.encodedBytes, signatureAlgorithmOID: outerAlgorithm, signature: signature.bytes)
            }
        }
    }

    private static func parseEntry(_ node: ASN1Node) throws -> (Entry, ArraySlice<UInt8>, [String]) {
        try DER.sequence(node, identifier: .sequence) { nodes in
            // Read the INTEGER's bytes directly: one odd (negative) serial must not make the whole list unreadable.
            guard let serialNode = nodes.next(), serialNode.identifier == .integer,
                  case .primitive(let serialContent) = serialNode.content, !serialContent.isEmpty,
                  let dateNode = nodes.next()
            else {
                throw CitizenCertificateConfigurationError.unreadableRevocationList("malformed revokedCertificates entry")
            }
            let revocationDate = try date(dateNode)
            let extensions: [Certificate.Extension] =
                if let node = nodes.next() {
                    try DER.sequence(of: Certificate.Extension.self, identifier: .sequence, rootNode: node)
                } else {
                    []
                }
            var reasonCode: Int?
            var unsupported: [String] = []
            for entryExtension in extensions {
                switch entryExtension.oid {
                case reasonCodeOID:
                    reasonCode = try Int(derEncoded: try DER.parse(entryExtension.value), withIdentifier: .enumerated)
                case invalidityDateOID:
                    break
                default:
                    if entryExtension.critical { unsupported.append(entryExtension.oid.description) }
                }
            }
            let serial = SerialBytes.normalized(serialContent)
            let entry = Entry(serialBytes: serial, revocationDate: revocationDate, reasonCode: reasonCode)
            return (entry, serial, unsupported)
        }
    }

    private static func algorithmOID(_ node: ASN1Node) throws -> ASN1ObjectIdentifier {
        try DER.sequence(node, identifier: .sequence) { nodes in
            let oid = try ASN1ObjectIdentifier(derEncoded: &nodes)
            _ = nodes.next()  // parameters: NULL or absent for the algorithms accepted here
            return oid
        }
    }

    private static func peek(_ nodes: ASN1NodeCollection.Iterator) -> ASN1Node? {
        var copy = nodes
        return copy.next()
    }

    private static func date(_ node: ASN1Node) throws -> Date {
        switch node.identifier {
        case .utcTime:
            let time = try UTCTime(derEncoded: node)
            return UTCDate.make(time.year, time.month, time.day, time.hours, time.minutes, Double(time.seconds))
        case .generalizedTime:
            let time = try GeneralizedTime(derEncoded: node)
            return UTCDate.make(
                time.year, time.month, time.day, time.hours, time.minutes, Double(time.seconds) + time.fractionalSeconds)
        default:
            throw CitizenCertificateConfigurationError.unreadableRevocationList("a time is neither UTCTime nor GeneralizedTime")
        }
    }
}

/// Signature algorithms swift-certificates can verify, by the OID a CRL names them with.
enum SignatureAlgorithms {
    static let byOID: [ASN1ObjectIdentifier: Certificate.SignatureAlgorithm] = [
        [1, 2, 840, 113549, 1, 1, 5]: .sha1WithRSAEncryption,
        [1, 2, 840, 113549, 1, 1, 11]: .sha256WithRSAEncryption,
        [1, 2, 840, 113549, 1, 1, 12]: .sha384WithRSAEncryption,
        [1, 2, 840, 113549, 1, 1, 13]: .sha512WithRSAEncryption,
        [1, 2, 840, 10045, 4, 3, 2]: .ecdsaWithSHA256,
        [1, 2, 840, 10045, 4, 3, 3]: .ecdsaWithSHA384,
        [1, 2, 840, 10045, 4, 3, 4]: .ecdsaWithSHA512,
        [1, 3, 101, 112]: .ed25519,
    ]
}

/// Serial numbers compared and shown without leading zero bytes, whatever sign padding the encoder used.
enum SerialBytes {
    static func normalized(_ bytes: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        ArraySlice(bytes.drop(while: { $0 == 0 }))
    }

    static func hex(_ bytes: ArraySlice<UInt8>) -> String {
        let significant = normalized(bytes)
        guard !significant.isEmpty else { return "00" }
        let digits = Array("0123456789ABCDEF".utf8)
        var text: [UInt8] = []
        text.reserveCapacity(significant.count * 2)
        for byte in significant {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: text, as: UTF8.self)
    }
}

enum UTCDate {
    /// Proleptic Gregorian calendar in UTC, without Calendar's cost: a complete CRL has tens of thousands of dates.
    static func make(_ year: Int, _ month: Int, _ day: Int, _ hours: Int, _ minutes: Int, _ seconds: Double) -> Date {
        let shiftedYear = month <= 2 ? year - 1 : year
        let era = (shiftedYear >= 0 ? shiftedYear : shiftedYear - 399) / 400
        let yearOfEra = shiftedYear - era * 400
        let dayOfYear = (153 * ((month + 9) % 12) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        let days = era * 146_097 + dayOfEra - 719_468
        return Date(timeIntervalSince1970: Double(days * 86_400 + hours * 3_600 + minutes * 60) + seconds)
    }
}

/// The text of a PEM file, or nil when the bytes are binary (DER).
func pemText(_ bytes: [UInt8]) -> String? {
    guard let text = String(bytes: bytes, encoding: .utf8), text.contains("-----BEGIN ") else { return nil }
    return text
}
