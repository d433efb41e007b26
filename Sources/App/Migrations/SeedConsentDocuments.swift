import Fluent
import Foundation

/// Version 1 of the consent documents the online application needs. Demo texts written for OneCard,
/// modelled on the structure of the libraries' own (scope, purpose, rights, agents); administrators
/// publish the real texts as new versions.
struct SeedConsentDocuments: AsyncMigration {
    static let codes = ["TPML_PRIVACY", "TAIPEI_CITY_ID", "NTPL_LINK", "KLPL_LINK"]

    func prepare(on database: any Database) async throws {
        let published = Date(timeIntervalSince1970: 1_763_769_600) // 2025-11-22
        let documents = [
            ConsentDocument(
                code: "TPML_PRIVACY", version: 1,
                titleZH: "臺北市立圖書館讀者辦理圖書借閱證個人資料維護聲明",
                titleEN: "Taipei Public Library: personal data statement for library card applications",
                bodyZH: """
                臺北市立圖書館（以下簡稱本館）依個人資料保護法，對讀者因辦理借閱證而提供之個人資料及借閱流通紀錄負保密之責。

                一、蒐集範圍：辦理借閱證及提供外借、預約等服務時，本館蒐集、處理及利用您的姓名、出生日期、證件號碼、電話、電子郵件及戶籍資料。

                二、蒐集目的：管理讀者使用本館圖書資源之權限，並執行圖書資料流通業務。

                三、讀者權益：您得請求查詢、閱覽、製給複製本、補充或更正本人之個人資料。

                四、代理人注意事項：您提供之資料包含他人（如戶長）之個人資料時，應確認當事人已知悉並同意本館依上述目的蒐集、處理及利用。
                """,
                bodyEN: """
                Taipei Public Library (the Library) keeps the personal data you give when applying for a library card, and your circulation records, confidential as the Personal Data Protection Act requires.

                1. Scope: to issue a card and lend or reserve items, the Library collects, processes and uses your name, date of birth, document number, phone numbers, email address and household details.

                2. Purpose: to manage your access to the Library's resources and to run circulation.

                3. Your rights: you may ask to see, copy, complete or correct your personal data.

                4. Data of others: if you give someone else's data (such as the head of household), make sure that person knows and agrees to its use for these purposes.
                """,
                publishedAt: published),
            ConsentDocument(
                code: "TAIPEI_CITY_ID", version: 1,
                titleZH: "臺北市府單一識別服務個人資料蒐集、處理及利用同意書",
                titleEN: "Taipei City single sign-on service: consent to collect, process and use personal data",
                bodyZH: """
                一、蒐集目的：提供單一識別服務，並用於市府各項市政服務、圖書館及出版品管理、調查統計與研究分析。

                二、個人資料類別：識別類（姓名、電話、電子郵件、網路帳號）、政府資料中之辨識者（身分證統一編號、居留證號、護照號碼、家庭戶號）、個人描述（性別、出生年月日）、家庭情形（戶長姓名）。

                三、利用期間、對象、地區及方式：於蒐集目的存續期間，由市府所屬機關及與市府有業務往來之機構，於其所在地以自動化或非自動化方式利用。

                四、您得隨時查閱、補充或更正個人資料（修改姓名須另行申請），或請求停止蒐集、處理、利用及刪除。您得自由選擇是否提供個人資料，惟資料不正確或不完整時，可能無法使用相關服務。
                """,
                bodyEN: """
                1. Purpose: to provide the city's single sign-on service and use it for city services, library administration, statistics and research.

                2. Categories: identifiers (name, phone numbers, email, account), government identifiers (national ID, resident certificate, passport and household numbers), personal description (gender, date of birth), family (head of household's name).

                3. Period, users, places and means: for as long as the purpose lasts, by city agencies and organizations working with the city, where they are located, by automated and other means.

                4. You may see, complete or correct your data at any time (a change of name needs an application), or ask that its collection, processing or use stop or that it be deleted. Giving data is your choice, but incomplete or incorrect data may keep you from using the services.
                """,
                publishedAt: published),
            ConsentDocument(
                code: "NTPL_LINK", version: 1,
                titleZH: "結合新北市圖借閱證個人資料同意書",
                titleEN: "Consent to link your card with New Taipei City Library",
                bodyZH: """
                一、蒐集之目的：與新北市立圖書館洽辦圖書館業務、使用圖書館服務及參與活動。

                二、個人資料類別：您於申請文件所填載及與圖書館往來期間所產生之個人資料。

                三、利用期間、地區、對象及方式：於蒐集目的存續期間或法令所定保存年限內，於臺灣地區，由新北市政府及其所屬機關依法令或您的同意，以自動化或非自動化方式利用。

                四、您得查詢、請求閱覽、製給複製本、補充、更正，或請求停止蒐集、處理、利用及刪除。

                五、您得自由選擇是否提供個人資料；拒絕提供時，將無法提供一證通用服務。
                """,
                bodyEN: """
                1. Purpose: library business with New Taipei City Library, its services and its events.

                2. Categories: the personal data in your application and that arising from your use of the library.

                3. Period, place, users and means: while the purpose lasts or as long as the law requires, in Taiwan, by the New Taipei City Government and its agencies as the law or your consent allows, by automated and other means.

                4. You may ask to see, copy, complete or correct your data, or that its collection, processing or use stop or that it be deleted.

                5. Giving your data is your choice; without it the one-card service cannot be provided.
                """,
                publishedAt: published),
            ConsentDocument(
                code: "KLPL_LINK", version: 1,
                titleZH: "結合基隆市公共圖書館借閱證個人資料同意書",
                titleEN: "Consent to link your card with Keelung City Public Library",
                bodyZH: """
                一、蒐集之目的：與基隆市公共圖書館洽辦圖書館業務及使用圖書館服務。

                二、個人資料類別：您於申請文件所填載及與圖書館往來期間所產生之個人資料。

                三、利用期間、地區、對象及方式：於蒐集目的存續期間，於臺灣地區，由基隆市政府及其所屬機關以自動化或非自動化方式利用。

                四、您得查詢、請求閱覽、製給複製本、補充、更正，或請求停止蒐集、處理、利用及刪除。

                五、您得自由選擇是否提供個人資料；拒絕提供時，將無法提供一證通用服務。
                """,
                bodyEN: """
                1. Purpose: library business with Keelung City Public Library and its services.

                2. Categories: the personal data in your application and that arising from your use of the library.

                3. Period, place, users and means: while the purpose lasts, in Taiwan, by the Keelung City Government and its agencies, by automated and other means.

                4. You may ask to see, copy, complete or correct your data, or that its collection, processing or use stop or that it be deleted.

                5. Giving your data is your choice; without it the one-card service cannot be provided.
                """,
                publishedAt: published),
        ]
        try await database.transaction { db in
            for document in documents { try await document.create(on: db) }
        }
    }

    func revert(on database: any Database) async throws {
        try await ConsentDocument.query(on: database).filter(\.$code ~~ Self.codes).filter(\.$version == 1).delete()
    }
}
