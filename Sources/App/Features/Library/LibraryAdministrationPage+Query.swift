import Fluent
import Foundation

extension LibraryAdministrationPage {
    /// The database work of `/staff/library`: the library's desks (open first, in their order), its
    /// partner services with how many readers are linked through each, and the member libraries it does
    /// not offer yet.
    static func query(libraryID: UUID, locale: SiteLocale, on database: any Database) async throws -> Model {
        let library = try await Library.query(on: database).filter(\.$id == libraryID).first()
        let desks = try await ServiceDesk.query(on: database).filter(\.$library.$id == libraryID).sort(\.$position).all()
        let services = try await PartnerService.query(on: database).filter(\.$library.$id == libraryID).sort(\.$position).all()
        let linked = try await PartnerLink.query(on: database).filter(\.$partnerService.$id ~~ services.compactMap(\.id))
            .filter(\.$status != .withdrawn).all()
            .reduce(into: [UUID: Int]()) { $0[$1.$partnerService.id, default: 0] += 1 }
        let offeredCodes = Set(services.map(\.code))
        let closed = try await ServiceDeskClosure.closedIDs(on: database)
        let withdrawn = try await PartnerServiceWithdrawal.withdrawnIDs(on: database)
        let others = try await Library.query(on: database).filter(\.$id != libraryID).sort(\.$position).all()
        return Model(
            library: library?.name(in: locale) ?? "",
            desks: try desks.sorted { (closed.contains($0.id!) ? 1 : 0, $0.position) < (closed.contains($1.id!) ? 1 : 0, $1.position) }.map { desk in
                let id = try desk.requireID()
                return .init(code: desk.code, name: desk.name(in: locale), closed: closed.contains(id),
                             renamePath: SiteURL.staffLibraryDesk(id: .value(id)).path,
                             closePath: SiteURL.staffLibraryDeskClose(id: .value(id)).path,
                             reopenPath: SiteURL.staffLibraryDeskReopen(id: .value(id)).path,
                             form: FormState(values: ["nameZH": desk.nameZH, "nameEN": desk.nameEN]))
            },
            services: try services.map { service in
                let id = try service.requireID()
                return .init(code: service.code, name: service.name(in: locale), offered: !withdrawn.contains(id),
                             links: linked[id] ?? 0, withdrawPath: SiteURL.staffLibraryServiceWithdraw(id: .value(id)).path)
            },
            partners: others.filter { !offeredCodes.contains($0.code) }.map { .init(code: $0.code, label: "\($0.code) \($0.name(in: locale))") })
    }
}
