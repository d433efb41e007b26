/// What `reader/partners.leaf` shows: 合作館服務, each service with whether the reader has it enabled.
struct PartnerServicesPage: Encodable {
    struct Row: Encodable {
        let code: String
        let name: String
        let enabled: Bool
        /// 與台北通結合 where no Taipei Pass provider is configured: the row says to ask a desk.
        let cityAccountUnavailable: Bool
        /// 啟用 leads to the service's statement; 停用 posts here.
        let enablePath: String
        let disablePath: String
    }

    let rows: [Row]
    /// Set by the controller after 停用 (`?disabled=`).
    var notice: String?
    /// Why the last trip to Taipei Pass did not link (`?taipei_pass=`); set by the controller.
    var problem: String?
}
