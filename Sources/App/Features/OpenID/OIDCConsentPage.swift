/// What the sign-in and consent pages of a sign-in through OneCard show.
struct OIDCConsentPage: Encodable {
    let clientName: String
    let homePage: String
    /// What the client will receive, one line per scope, in the reader's language.
    var claims: [String] = []
    var documentTitle = ""
    var paragraphs: [String] = []
    var version = 0
    var form = FormState()
}
