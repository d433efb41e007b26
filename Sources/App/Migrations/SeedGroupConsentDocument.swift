import Fluent
import Foundation

/// The personal-data statement of the group digital card (集體辦理數位借閱證), version 1: what the card
/// holders' organization agrees to on their behalf with its signed 個人資料授權同意聲明書, and what each
/// holder sees among their consents. A library accepts group applications when it has a
/// `<CODE>_GROUP_PRIVACY` document; the seed's library (國立公共資訊圖書館) is the one that does.
/// Demo text modelled on the seeds; administrators publish the real text as a new version.
struct SeedGroupConsentDocument: AsyncMigration {
    static let code = "NLPI_GROUP_PRIVACY"

    func prepare(on database: any Database) async throws {
        try await ConsentDocument(
            code: Self.code, version: 1,
            titleZH: "國立公共資訊圖書館集體辦理數位借閱證個人資料授權同意聲明",
            titleEN: "National Library of Public Information: personal data consent for group digital cards",
            bodyZH: """
            國立公共資訊圖書館（以下簡稱本館）受理學校暨機關集體辦理數位借閱證，依個人資料保護法蒐集、處理及利用申請人之個人資料。

            一、蒐集目的：核發及管理數位借閱證，提供電子書、數位影音資源、數位學習教材、數位典藏及電子資料庫等數位資源服務。

            二、個人資料類別：姓名、身分證字號、出生日期、性別、電子信箱、行動電話、所屬學校或機關及班級（單位）。

            三、利用期間、地區、對象及方式：於數位借閱證有效期間及法令所定保存年限內，於臺灣地區，由本館以自動化或非自動化方式利用。

            四、申請人得向本館查詢、請求閱覽、製給複製本、補充、更正，或請求停止蒐集、處理、利用及刪除其個人資料。

            五、申請單位之聯絡人已確認申請人知悉並同意本聲明，並簽署個人資料授權同意聲明書。
            """,
            bodyEN: """
            The National Library of Public Information (the Library) accepts group applications for digital library cards from schools and agencies, and collects, processes and uses the applicants' personal data as the Personal Data Protection Act provides.

            1. Purpose: to issue and manage digital library cards and to provide the Library's e-books, audiovisual resources, e-learning materials, digital archives and databases.

            2. Categories: name, national ID number, date of birth, gender, email address, mobile number, the school or agency and the class or unit.

            3. Period, place, users and means: while the card is valid and as long as the law requires, in Taiwan, by the Library, by automated and other means.

            4. Applicants may ask to see, copy, complete or correct their data, or that its collection, processing or use stop or that it be deleted.

            5. The applying organization's contact person has confirmed that the applicants know of and agree to this statement, and signed the consent statement.
            """,
            publishedAt: Date(timeIntervalSince1970: 1_795_305_600)
        ).create(on: database)
    }

    func revert(on database: any Database) async throws {
        let documents = try await ConsentDocument.query(on: database).filter(\.$code == Self.code).all()
        for document in documents {
            try await ConsentRecord.query(on: database).filter(\.$document.$id == document.requireID()).delete()
            try await document.delete(on: database)
        }
    }
}
