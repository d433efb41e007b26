import Foundation
import SwiftASN1
import X509

/// What a MOICA leaf certificate says about its holder.
enum HolderIdentity {
    /// The holder's name: the subject's commonName (UTF8String on MOICA cards; BMPString read too).
    /// With several CNs the last, most specific one counts.
    static func name(in certificate: Certificate) -> String? {
        var found: String?
        for rdn in certificate.subject {
            for attribute in rdn where attribute.type == .RDNAttributeType.commonName {
                if let text = text(of: attribute.value) { found = text }
            }
        }
        return found.map(normalized)
    }

    /// NFC, so a name typed with a CJK compatibility ideograph or decomposed marks compares equal to the
    /// certificate's, and trimmed of whitespace, the ideographic space U+3000 included.
    static func normalized(_ name: String) -> String {
        name.precomposedStringWithCanonicalMapping.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// subjectDirectoryAttributes (RFC 3739 §3.2.2).
    static let subjectDirectoryAttributesOID: ASN1ObjectIdentifier = [2, 5, 29, 9]
    /// The attribute MOICA is reported to use for the last four digits of the national ID number
    /// (public third-party MOICA integrations read 2.16.886.1.100.2.51); not checked against a real card.
    static let idLastFourOID: ASN1ObjectIdentifier = [2, 16, 886, 1, 100, 2, 51]

    /// The last four digits of the holder's ID number, when the certificate carries exactly four digits there.
    static func idLastFour(in certificate: Certificate) -> String? {
        guard let directory = certificate.extensions[oid: subjectDirectoryAttributesOID],
              let root = try? DER.parse(directory.value),
              case .constructed(let attributes) = root.content, root.identifier == .sequence
        else { return nil }
        for attribute in attributes {
            guard attribute.identifier == .sequence, case .constructed(let parts) = attribute.content else { continue }
            var fields = parts.makeIterator()
            guard let typeNode = fields.next(), let type = try? ASN1ObjectIdentifier(derEncoded: typeNode),
                  type == idLastFourOID,
                  let valuesNode = fields.next(), valuesNode.identifier == .set,
                  case .constructed(let values) = valuesNode.content,
                  let first = values.first(where: { _ in true }),
                  let digits = directoryString(first)
            else { continue }
            let trimmed = digits.trimmingCharacters(in: .whitespaces)
            return trimmed.count == 4 && trimmed.allSatisfy({ $0.isASCII && $0.isNumber }) ? trimmed : nil
        }
        return nil
    }

    private static func text(of value: RelativeDistinguishedName.Attribute.Value) -> String? {
        if let text = String(value) { return text }
        var serializer = DER.Serializer()
        guard (try? serializer.serialize(ASN1Any(value))) != nil,
              let node = try? DER.parse(serializer.serializedBytes)
        else { return nil }
        return directoryString(node)
    }

    private static func directoryString(_ node: ASN1Node) -> String? {
        guard case .primitive(let bytes) = node.content else { return nil }
        switch node.identifier {
        case .utf8String, .printableString, .ia5String, .numericString, .visibleString:
            return String(bytes: bytes, encoding: .utf8)
        case .bmpString:
            return String(bytes: bytes, encoding: .utf16BigEndian)
        default:
            return nil
        }
    }
}
