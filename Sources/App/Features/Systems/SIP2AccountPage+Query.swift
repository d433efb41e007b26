import Fluent
import Foundation

extension SIP2AccountPage {
    /// The account if it is in the administrator's scope; "not found" otherwise.
    static func account(_ id: UUID?, scope: SystemsScope, database: any Database) async throws -> SIP2AccountRecord {
        guard let id, let record = try await SIP2AccountRecord.query(on: database).filter(\.$id == id).with(\.$library).first(),
              scope.admits(record.$library.id)
        else { throw SystemsError.notFound }
        return record
    }

    /// The page for the account, its form filled from what is stored unless `form` says otherwise.
    static func query(_ record: SIP2AccountRecord, form: FormState? = nil) -> SIP2AccountPage {
        let id = record.id!
        let values = form?.values ?? [
            "allow": record.allowedAddresses.isEmpty ? "any" : record.allowedAddresses.replacingOccurrences(of: ",", with: ", "),
            "encoding": record.encoding,
            "personalData": record.mayReadPersonalData ? "yes" : "",
            "alternateIDs": record.acceptsAlternateIdentifiers ? "yes" : "",
            "errorDetection": record.errorDetection ? "yes" : "",
        ]
        return SIP2AccountPage(
            user: record.loginUser, library: record.library.code, institution: record.institution, disabled: record.disabledAt != nil,
            encodings: encodingOptions(chosen: values["encoding"]), form: FormState(values: values, errors: form?.errors ?? [:]),
            updatePath: SiteURL.staffSIP2Account(id: .value(id)).path, disablePath: SiteURL.staffSIP2AccountDisable(id: .value(id)).path,
            enablePath: SiteURL.staffSIP2AccountEnable(id: .value(id)).path,
            passwordPath: SiteURL.staffSIP2AccountPassword(id: .value(id)).path)
    }
}
