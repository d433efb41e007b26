/// `/staff/library`: an administrator's own library, its service desks (rename, close, add) and the
/// partner services it offers its readers.
enum LibraryAdministrationPage {
    struct Model: Encodable {
        struct Desk: Encodable {
            let code: String
            let name: String
            let closed: Bool
            let renamePath: String
            let closePath: String
            let reopenPath: String
            /// The rename form: the names as stored, or as typed when refused, and each field's problem.
            var form: FormState
        }

        struct Service: Encodable {
            let code: String
            let name: String
            let offered: Bool
            /// Readers linked through the service now.
            let links: Int
            let withdrawPath: String
        }

        struct Partner: Encodable {
            let code: String
            let label: String
        }

        let library: String
        var desks: [Desk]
        let services: [Service]
        /// Member libraries the library could offer a one-card service with, not offered yet.
        let partners: [Partner]
        /// The new desk's form.
        var form = FormState()
        var closeError: String? = nil
        var offerError: String? = nil
        var notice: String? = nil
    }
}
