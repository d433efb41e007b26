import Vapor

struct StaffSetPasswordForm: Content {
    var token: String?
    var password: String?
    var passwordConfirmation: String?
}
