import Fluent
import Foundation

/// The consortium as it starts: six libraries, their service desks, and the one-card services each
/// offers (Taipei's list is the seed's 合作館服務 list, in its order). A shipped migration is frozen:
/// later changes to the consortium come as new migrations or through administration.
struct SeedConsortium: AsyncMigration {
    struct Desk { let code, zh, en: String }
    struct Member { let code, zh, en, prefix: String; let desks: [Desk] }
    struct Offer { let library, code: String; let partner: String?; let zh, en: String }

    static let members: [Member] = [
        Member(code: "TPML", zh: "臺北市立圖書館", en: "Taipei Public Library", prefix: "1001", desks: [
            Desk(code: "MAIN", zh: "總館", en: "Main Library"),
            Desk(code: "BEITOU", zh: "北投分館", en: "Beitou Branch"),
            Desk(code: "ZHONGLUN", zh: "中崙分館", en: "Zhonglun Branch"),
            Desk(code: "XIHU", zh: "西湖分館", en: "Xihu Branch"),
        ]),
        Member(code: "NTPL", zh: "新北市立圖書館", en: "New Taipei City Library", prefix: "1002", desks: [
            Desk(code: "MAIN", zh: "總館", en: "Main Library"),
            Desk(code: "SANCHONG", zh: "三重分館", en: "Sanchong Branch"),
            Desk(code: "XINZHUANG", zh: "新莊分館", en: "Xinzhuang Branch"),
        ]),
        Member(code: "KLPL", zh: "基隆市公共圖書館", en: "Keelung City Public Library", prefix: "1003", desks: [
            Desk(code: "MAIN", zh: "總館", en: "Main Library"),
            Desk(code: "QIDU", zh: "七堵分館", en: "Qidu Branch"),
            Desk(code: "ANLE", zh: "安樂分館", en: "Anle Branch"),
        ]),
        Member(code: "HCPL", zh: "新竹縣公共圖書館", en: "Hsinchu County Public Library", prefix: "1004", desks: [
            Desk(code: "MAIN", zh: "總館", en: "Main Library"),
            Desk(code: "ZHUDONG", zh: "竹東分館", en: "Zhudong Branch"),
        ]),
        Member(code: "NLPI", zh: "國立公共資訊圖書館", en: "National Library of Public Information", prefix: "1005", desks: [
            Desk(code: "MAIN", zh: "總館", en: "Main Library"),
            Desk(code: "LIMING", zh: "黎明分館", en: "Liming Branch"),
            Desk(code: "ZHONGXING", zh: "中興分館", en: "Zhongxing Branch"),
        ]),
        Member(code: "TCPL", zh: "臺中市立圖書館", en: "Taichung Public Library", prefix: "1006", desks: [
            Desk(code: "MAIN", zh: "總館", en: "Main Library"),
            Desk(code: "BEITUN", zh: "北屯分館", en: "Beitun Branch"),
            Desk(code: "XITUN", zh: "西屯分館", en: "Xitun Branch"),
        ]),
    ]

    static let offers: [Offer] = [
        Offer(library: "TPML", code: "TAIPEI_PASS", partner: nil, zh: "與台北通結合", en: "Link with Taipei Pass"),
        Offer(library: "TPML", code: "NTPL", partner: "NTPL",
              zh: "啟用新北市公共圖書館一證通用服務", en: "One-card service with New Taipei City Library"),
        Offer(library: "TPML", code: "KLPL", partner: "KLPL",
              zh: "啟用基隆市公共圖書館一證通用服務", en: "One-card service with Keelung City Public Library"),
        Offer(library: "TPML", code: "HCPL", partner: "HCPL",
              zh: "啟用新竹縣公共圖書館一證通用服務", en: "One-card service with Hsinchu County Public Library"),
        Offer(library: "NTPL", code: "TPML", partner: "TPML",
              zh: "啟用臺北市立圖書館一證通用服務", en: "One-card service with Taipei Public Library"),
        Offer(library: "NTPL", code: "KLPL", partner: "KLPL",
              zh: "啟用基隆市公共圖書館一證通用服務", en: "One-card service with Keelung City Public Library"),
        Offer(library: "KLPL", code: "TPML", partner: "TPML",
              zh: "啟用臺北市立圖書館一證通用服務", en: "One-card service with Taipei Public Library"),
        Offer(library: "KLPL", code: "NTPL", partner: "NTPL",
              zh: "啟用新北市公共圖書館一證通用服務", en: "One-card service with New Taipei City Library"),
        Offer(library: "HCPL", code: "TPML", partner: "TPML",
              zh: "啟用臺北市立圖書館一證通用服務", en: "One-card service with Taipei Public Library"),
    ]

    func prepare(on database: any Database) async throws {
        try await database.transaction { db in
            var ids: [String: UUID] = [:]
            for (position, member) in Self.members.enumerated() {
                let library = Library(code: member.code, nameZH: member.zh, nameEN: member.en,
                                      cardPrefix: member.prefix, position: position)
                try await library.create(on: db)
                let id = try library.requireID()
                ids[member.code] = id
                for (deskPosition, desk) in member.desks.enumerated() {
                    try await ServiceDesk(libraryID: id, code: desk.code, nameZH: desk.zh, nameEN: desk.en,
                                          position: deskPosition).create(on: db)
                }
            }
            var positions: [String: Int] = [:]
            for offer in Self.offers {
                let position = positions[offer.library, default: 0]
                positions[offer.library] = position + 1
                try await PartnerService(
                    libraryID: ids[offer.library]!, code: offer.code,
                    kind: offer.partner == nil ? .cityAccount : .partnerLibrary,
                    partnerLibraryID: offer.partner.map { ids[$0]! },
                    nameZH: offer.zh, nameEN: offer.en, position: position
                ).create(on: db)
            }
        }
    }

    func revert(on database: any Database) async throws {
        let codes = Self.members.map(\.code)
        try await database.transaction { db in
            let libraries = try await Library.query(on: db).filter(\.$code ~~ codes).all()
            let ids = libraries.compactMap(\.id)
            try await PartnerService.query(on: db).filter(\.$library.$id ~~ ids).delete()
            try await ServiceDesk.query(on: db).filter(\.$library.$id ~~ ids).delete()
            try await Library.query(on: db).filter(\.$code ~~ codes).delete()
        }
    }
}
