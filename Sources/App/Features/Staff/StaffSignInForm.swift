import Vapor

struct StaffSignInForm: Content {
    var email: String?
    var password: String?
}
