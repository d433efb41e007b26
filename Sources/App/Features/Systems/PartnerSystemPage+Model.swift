/// `staff/partner-system.leaf`: one library's partner system: its webhook URL, a new signing secret (shown
/// once, right after it was made), the result of a test delivery, and the way to the delivery log.
struct PartnerSystemPage: Encodable {
    /// What a test delivery came to: delivered, or the endpoint's refusal or transport error.
    struct TestResult: Encodable {
        let delivered: Bool
        let detail: String
    }

    let code: String
    let name: String
    let hasEndpoint: Bool
    var form = FormState()
    /// Its only showing.
    var newSecret: String? = nil
    var testResult: TestResult? = nil
    var saved = false
    let urlPath: String
    let secretPath: String
    let testPath: String
}
