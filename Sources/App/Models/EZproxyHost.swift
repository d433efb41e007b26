import Fluent
import Foundation

/// An EZproxy server that uses OneCard as its login, by OCLC's CGI authentication with tickets
/// (issue #15 item 3). EZproxy sends readers to `/ezproxy/{name}/login?url=…`; OneCard signs them in and
/// sends them back to `loginURL`'s `/login` with a ticket signed with the host's shared secret.
final class EZproxyHost: Model, @unchecked Sendable {
    static let schema = "ezproxy_hosts"

    @ID(key: .id) var id: UUID?
    /// The path word EZproxy's `::CGI=` line names (`[a-z0-9-]`), unique.
    @Field(key: "name") var name: String
    /// Whose card holders may sign in: the library's own and those who linked it (`PatronVisibility`).
    @Parent(key: "library_id") var library: Library
    /// EZproxy's base address, e.g. `https://ezproxy.nlpi.edu.tw` (its `/login` takes the ticket).
    @Field(key: "login_url") var loginURL: String
    /// `EZproxyTicket.Algorithm` raw value: the digest named in user.txt's `::Ticket` block.
    @Field(key: "algorithm") var algorithm: String
    /// Vault envelope of the shared secret (`EZproxyHosts.secretContext`).
    @Field(key: "secret_sealed") var secretSealed: String
    @Field(key: "created_at") var createdAt: Date

    init() {}

    init(name: String, libraryID: UUID, loginURL: String, algorithm: String, secretSealed: String, createdAt: Date) {
        self.name = name
        self.$library.id = libraryID
        self.loginURL = loginURL
        self.algorithm = algorithm
        self.secretSealed = secretSealed
        self.createdAt = createdAt
    }
}
