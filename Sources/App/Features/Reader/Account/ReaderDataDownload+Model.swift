import Fluent
import OneCardDomain
import Vapor

/// 下載我的資料 (the right of access): the page is a JSON file, built by `ReaderDataDownload.Model.query`.
enum ReaderDataDownload {}

extension ReaderDataDownload {
/// Everything about one reader, for the reader.
struct Model: Encodable {
    struct Card: Encodable {
        let cardNumber: String?, status: String, kind: String, type: String, library: String, applicationNumber: String
        let appliedAt: Date, activatedAt: Date?
        let validUntil: String?, suspendedAt: Date?, suspensionReason: String?
    }
    struct Person: Encodable {
        let name: String, documentKind: String?, idNumber: String?, passportCountry: String?, gender: String?, birthDate: String?
        let mobile: String?, homePhone: String?, email: String?, easyCard: String?
    }
    struct Consent: Encodable {
        let document: String, title: String, version: Int, givenAt: Date, channel: String, withdrawnAt: Date?
    }
    struct Link: Encodable {
        let service: String, status: String, createdAt: Date
    }
    struct Access: Encodable {
        let at: Date, action: String, actorType: String
    }
    /// The linked 台北通 account: the provider and its identifier for this reader.
    struct TaipeiPass: Encodable {
        let issuer: String, subject: String, linkedAt: Date, lastSignedInAt: Date?
    }
    let exportedAt: Date
    let card: Card
    let person: Person
    let consents: [Consent]
    let partnerLinks: [Link]
    let taipeiPass: TaipeiPass?
    /// Who looked at or changed this record, and when (without staff identities).
    let accessLog: [Access]
}
}
