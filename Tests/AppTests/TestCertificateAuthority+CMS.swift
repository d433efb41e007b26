import Foundation

/// What the MOICA component (HiPKI Local Server) returns for `signatureType: "PKCS7"`: a CMS SignedData,
/// here made by `openssl cms -sign` with a card of the test CA, as the Python stand-in for the component
/// (tests/hipki/local_server.py) makes it too.
extension TestCertificateAuthority {
    enum CMSForm {
        /// The content inside the message (`-nodetach`), with signed attributes.
        case enveloping
        /// The content left out, with signed attributes (messageDigest, contentType, signingTime).
        case detached
        /// Enveloping, without signed attributes (`-noattr`): the signature is over the content itself.
        case withoutAttributes
    }

    /// The card signs `nonce` as the page hands it to the component: as lower-case hex text
    /// (`CitizenCertificateVerifier.signedText(of:)`); returns the message as base64 DER.
    func cms(_ nonce: Data, card: (certificate: String, key: String), form: CMSForm = .enveloping,
             certificates: Bool = true) async throws -> String {
        try await cms(text: nonce.map { String(format: "%02x", $0) }.joined(), card: card, form: form, certificates: certificates)
    }

    func cms(text: String, card: (certificate: String, key: String), form: CMSForm = .enveloping,
             certificates: Bool = true) async throws -> String {
        let content = path("tbs-\(UUID().uuidString)")
        let certificate = path("signer-\(UUID().uuidString).pem")
        try text.write(toFile: content, atomically: true, encoding: .utf8)
        try card.certificate.write(toFile: certificate, atomically: true, encoding: .utf8)
        var arguments = ["cms", "-sign", "-binary", "-md", "sha256", "-in", content, "-signer", certificate,
                         "-inkey", card.key, "-outform", "DER"]
        switch form {
        case .enveloping: arguments.append("-nodetach")
        case .detached: break
        case .withoutAttributes: arguments += ["-nodetach", "-noattr"]
        }
        if !certificates { arguments.append("-nocerts") }
        return try await openssl(arguments).base64EncodedString()
    }
}
