import Fluent
import Foundation

/// The personal data statement of the National Library of Public Information for individual digital
/// card applications (`NLPI_PRIVACY`). A demo text on the model of the seed's statements.
struct SeedDigitalCardConsentDocument: AsyncMigration {
    static let code = "NLPI_PRIVACY"

    func prepare(on database: any Database) async throws {
        try await ConsentDocument(
            code: Self.code, version: 1,
            titleZH: "國立公共資訊圖書館數位借閱證個人資料蒐集、處理及利用告知事項",
            titleEN: "National Library of Public Information: personal data notice for digital library cards",
            bodyZH: """
            一、蒐集目的：(146)圖書館、出版品管理，辦理數位借閱證、審核申請人身分及提供數位資源服務。

            二、個人資料類別：姓名、身分證統一編號、出生年月日、電子郵件地址、行動電話；您上傳之身分證、戶口名簿或家長、法定監護人之身分證影像；使用自然人憑證時之憑證序號及簽發者。

            三、利用期間、地區、對象及方式：於蒐集目的存續期間，於臺灣地區，由本館以自動化或非自動化方式利用。上傳之證件影像僅供審核，於審核完成後三十日內刪除，審核紀錄依法保存。

            四、您得依個人資料保護法第3條查詢、請求閱覽、製給複製本、補充、更正，或請求停止蒐集、處理、利用及刪除。

            五、您得自由選擇是否提供個人資料；拒絕提供時，將無法辦理數位借閱證。
            """,
            bodyEN: """
            1. Purpose: (146) library and publication administration — issuing digital library cards, checking applicants' identity and providing the digital resources.

            2. Categories: name, national ID number, date of birth, email, mobile number; the images you upload of your ID card, household register or a parent's or guardian's ID card; with a citizen digital certificate, its serial number and issuer.

            3. Period, place, users and means: while the purpose lasts, in Taiwan, by the Library, by automated and other means. The uploaded images serve only the review and are erased within 30 days of the decision; the decision record is kept as the law requires.

            4. Under Article 3 of the Personal Data Protection Act you may ask to see, copy, complete or correct your data, or that its collection, processing or use stop, or that it be deleted.

            5. Giving your data is your choice; without it no digital card can be issued.
            """,
            publishedAt: Date(timeIntervalSince1970: 1_795_305_600) // 2026-11-22
        ).create(on: database)
    }

    func revert(on database: any Database) async throws {
        try await ConsentDocument.query(on: database).filter(\.$code == Self.code).filter(\.$version == 1).delete()
    }
}
