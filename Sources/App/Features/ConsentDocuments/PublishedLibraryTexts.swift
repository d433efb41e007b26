/// The libraries' own consent texts, as Taipei Public Library's 網路辦證 shows them (the service guide in
/// the project's seeds): what an administrator publishes over OneCard's demo version 1. The Chinese is
/// the libraries' wording; the English is OneCard's translation, since readers choose their language.
/// `onecard seed-demo` publishes them through `ConsentPublication`, as an administrator would.
enum PublishedLibraryTexts {
    static let all: [(code: String, text: ConsentText)] = [("TPML_PRIVACY", tpmlPrivacy), ("TAIPEI_CITY_ID", taipeiCityID)]

    static let tpmlPrivacy = ConsentText(
        titleZH: "臺北市立圖書館讀者辦理圖書借閱證個人資料維護聲明",
        titleEN: "Taipei Public Library: personal data statement for library card applications",
        bodyZH: """
        臺北市立圖書館(以下簡稱「本館」)謹遵個人資料保護法相關規定，對於讀者因辦理借閱證而由本館取得之以下個人資料或各項個人借閱流通使用紀錄，必將依法善盡保密之責：

        一、蒐集範圍：本館於讀者申辦借閱證，提供圖書資料外借、預約等服務時，將蒐集、處理或利用您的姓名、生日、身分證字號、電話、通訊地址、戶籍地址等個人資料。

        二、蒐集目的：本館蒐集讀者資料之目的，係為控管讀者使用本館各項圖書資源之權限，或執行圖書資料流通業務而為之。

        三、讀者權益：基於我國個人資料保護法之規定，您可行使下述權利：(一)請求查詢本人之個人資料。(二)請求更正本人之個人資料。

        四、代理人注意事項：當您所提供之資料包含委託人之個人資料時，您應確認該委託人已知悉，並確保已取得委託人之同意授權依本館之蒐集目的，蒐集、處理或利用委託人之個人資料。
        """,
        bodyEN: """
        Taipei Public Library (the Library) follows the Personal Data Protection Act and keeps confidential, as the law requires, the personal data and circulation records it obtains from readers who apply for a library card:

        1. Scope: when you apply for a card and use lending, reservations and other services, the Library collects, processes and uses your name, date of birth, ID number, phone numbers, mailing address and household registration address.

        2. Purpose: the Library collects readers' data to manage their access to its resources and to run circulation.

        3. Your rights: under the Personal Data Protection Act you may (1) ask to see your personal data and (2) ask that it be corrected.

        4. Agents: if the data you give includes that of a person you act for, make sure that person knows and has agreed that the Library collects, processes and uses it for these purposes.
        """)

    static let taipeiCityID = ConsentText(
        titleZH: "臺北市府單一識別服務個人資料蒐集、處理及利用同意書",
        titleEN: "Taipei City single sign-on service: consent to collect, process and use personal data",
        bodyZH: """
        臺北市府單一識別服務其對外服務名稱由臺北市府(以下簡稱本府)另行發布之，以下統一以單一識別服務稱之，依據個人資料保護法等相關規定，本府有義務告知以下事項，請您於申辦單一識別服務前務必詳閱，確認同意後再送交申請資料。

        一、本府為提供申辦單一識別服務，蒐集您的個人資料可分為以下目的：(028)交通及公共建設行政、(057)社會行政、(072)政令宣導、(109)教育或訓練行政、(120)稅務行政、(146)圖書館、出版品管理、(156)衛生行政、(157)調查、統計與研究分析、(159)學術研究、(175)其他地方政府機關暨所屬機關構內部單位管理、公共事務監督、行政協助及相關業務。

        二、蒐集個人資料之類別：1. 識別類：C001辨識個人者(例如：姓名、相片、戶籍地址、行動電話、通訊及戶籍電話、電子郵件地址、網路平臺申請之帳號、提供網路身分認證或申辦服務之紀錄及其任何可辨識資料本人者等)、C003政府資料中之辨識者(例如：本人身分證統一編號、IC晶片卡卡號、居留證號、統一證號、護照證號、出入境許可證、家庭戶號)。2. 特徵類：C011個人描述(例如：性別、出生年月日)。3. 家庭情況：C021家庭情形(例如：戶長姓名、新移民之配偶姓名)。4. 社會情形：C038職業(例如：職業)。5. 教育、考選、技術或其他專業：C052資格或技術(例如：學歷)。

        三、個人資料利用之期間、對象、地區及方式：1. 期間：個人資料蒐集之特定目的存續期間或本府依相關法令或契約約定執行業務所必須之保存期間。2. 對象：本府所屬機關(含所屬機關(構)、學校暨臺北大眾捷運股份有限公司)、本府業務委外機構及與本府有業務往來之機構(包括但不限於悠遊卡股份有限公司)。3. 地區：本府所屬機關所在地、本府業務委外機構所在地、與本府有業務往來之機構所在地。4. 方式：用於提供單一識別服務，並使用於本府各市政服務及統計研究分析，包含依您授權存取之第三方網站或應用程式的要求，將個人資料提供予該服務機關。

        四、申辦單一識別服務會員(以下簡稱本服務會員)亦將作為本府所屬機關(含所屬機關(構)、學校暨臺北大眾捷運股份有限公司)提供服務之身分，當您選擇以服務會員存取臺北市府各式服務時，即表示您接受並同意由各服務機關依其服務所需，存取您在服務會員的個人資料。如您未於申辦服務會員填寫該服務所需的個人資料時，可能無法完整使用該項服務。

        五、您得隨時於「個人資料」功能中查閱、補充、更正您的個人資料(修改姓名者須向本府提出申請)，如欲刪除帳號或行使個人資料保護法第3條的其他權利(請求製給複製本、請求停止蒐集或處理或利用等)，請洽(02)27208889#8585。您得自由選擇是否提供個人資料，但如所提供之資料不正確或不完整，可能無法獲得您所需的服務。
        """,
        bodyEN: """
        The Taipei City Government (the City) publishes the public name of its single sign-on service separately; it is called the single sign-on service here. Under the Personal Data Protection Act the City must tell you the following. Please read it before applying, and send your application once you agree.

        1. Purposes: to provide the single sign-on service the City collects your personal data for (028) transport and public works, (057) social affairs, (072) public information, (109) education and training, (120) taxation, (146) libraries and publications, (156) public health, (157) surveys, statistics and research, (159) academic research, and (175) the internal administration, supervision and support of local government agencies.

        2. Categories: 1. identifiers: C001 identifying the person (such as name, photo, household registration address, mobile, mailing and household phone numbers, email address, accounts on online platforms, records of online identity checks and applications, and any data that identifies you) and C003 government identifiers (such as your national ID number, IC card numbers, resident certificate, unified ID, passport and entry permit numbers, household number); 2. characteristics: C011 personal description (such as gender and date of birth); 3. family: C021 family situation (such as the head of household's name, a new immigrant's spouse's name); 4. social situation: C038 occupation; 5. education and qualifications: C052 qualifications or skills (such as education).

        3. Period, users, places and means: 1. period: while the specific purpose lasts, or as long as the City must keep the data by law or contract; 2. users: City agencies (including their institutions, schools and Taipei Rapid Transit Corporation), the City's contractors and organizations it works with (including EasyCard Corporation); 3. places: where those agencies, contractors and organizations are; 4. means: to provide the single sign-on service and for the City's services, statistics and research, including giving your data to a service agency when a third-party site or app you authorize asks for it.

        4. A single sign-on member account is also your identity with City agencies (including their institutions, schools and Taipei Rapid Transit Corporation): when you use a City service with it, you agree that the agency reads the personal data in your account as its service needs. If you did not give data a service needs, you may not be able to use all of it.

        5. You may see, complete or correct your personal data at any time under "Personal data" (a change of name needs an application to the City). To delete the account or use your other rights under Article 3 of the Act (copies, or stopping collection, processing or use), call (02) 2720-8889 ext. 8585. Giving personal data is your choice, but incorrect or incomplete data may keep you from the services you need.
        """)
}
