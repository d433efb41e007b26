/// `/staff/login/enrol` and `/staff/login/code`: the second factor's pages.
struct StaffSecondFactorPage: Encodable {
    /// The enrolment's QR code and secret.
    struct Enrolment: Encodable {
        let secret: String
        /// The secret in groups of four, easier to type into an app.
        let secretGroups: String
        let uri: String
        /// The QR code as a `data:image/png` URI.
        let qrImage: String
        let qrPixels: Int
    }

    let email: String
    var enrolment: Enrolment? = nil
    /// The ten recovery codes, on the page that confirms the enrolment: their only showing.
    var recoveryCodes: [String]? = nil
    var form = FormState()
}
