import Fluent
import Foundation

/// Consent documents for the partner links the first seed did not cover: Hsinchu County (offered by
/// Taipei) and Taipei (offered by New Taipei, Keelung and Hsinchu County). Demo texts as before.
struct SeedPartnerConsentDocuments: AsyncMigration {
    static let documents: [(code: String, zh: String, en: String, partnerZH: String, partnerEN: String)] = [
        ("HCPL_LINK", "結合新竹縣公共圖書館借閱證個人資料同意書", "Consent to link your card with Hsinchu County Public Library",
         "新竹縣公共圖書館", "Hsinchu County Public Library"),
        ("TPML_LINK", "結合臺北市立圖書館借閱證個人資料同意書", "Consent to link your card with Taipei Public Library",
         "臺北市立圖書館", "Taipei Public Library"),
    ]

    func prepare(on database: any Database) async throws {
        let published = Date(timeIntervalSince1970: 1_795_305_600) // 2026-11-22
        try await database.transaction { db in
            for document in Self.documents {
                try await ConsentDocument(
                    code: document.code, version: 1, titleZH: document.zh, titleEN: document.en,
                    bodyZH: """
                    一、蒐集之目的：與\(document.partnerZH)洽辦圖書館業務、使用圖書館服務及參與活動。

                    二、個人資料類別：您於申請文件所填載及與圖書館往來期間所產生之個人資料。

                    三、利用期間、地區、對象及方式：於蒐集目的存續期間或法令所定保存年限內，於臺灣地區，由\(document.partnerZH)及其主管機關依法令或您的同意，以自動化或非自動化方式利用。

                    四、您得查詢、請求閱覽、製給複製本、補充、更正，或請求停止蒐集、處理、利用及刪除。

                    五、您得自由選擇是否提供個人資料；拒絕提供時，將無法提供一證通用服務。
                    """,
                    bodyEN: """
                    1. Purpose: library business with \(document.partnerEN), its services and its events.

                    2. Categories: the personal data in your application and that arising from your use of the library.

                    3. Period, place, users and means: while the purpose lasts or as long as the law requires, in Taiwan, by \(document.partnerEN) and its supervising authority as the law or your consent allows, by automated and other means.

                    4. You may ask to see, copy, complete or correct your data, or that its collection, processing or use stop or that it be deleted.

                    5. Giving your data is your choice; without it the one-card service cannot be provided.
                    """,
                    publishedAt: published
                ).create(on: db)
            }
        }
    }

    func revert(on database: any Database) async throws {
        try await ConsentDocument.query(on: database).filter(\.$code ~~ Self.documents.map(\.code)).filter(\.$version == 1).delete()
    }
}
