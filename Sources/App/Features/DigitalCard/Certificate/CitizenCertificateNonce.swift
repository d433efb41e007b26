import CitizenCertificate
import Foundation
import NIOConcurrencyHelpers
import PersonalDataVault
import UploadInspection
import Vapor

/// What the browser side of the citizen certificate exchange sends and gets.
enum CitizenCertificateNonce {
    static func make() -> [UInt8] { CitizenCertificateVerifier.makeNonce() }

    /// The MOICA card-reader component (HiPKI Local Server) listens here on the applicant's computer; the
    /// certificate page's script opens its window and probes it, and only that page may connect to it.
    static let componentOrigin = "http://127.0.0.1:61161"

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
