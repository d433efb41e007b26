import Fluent
import OneCardDomain
import Vapor

enum StaffAccountError: Error, CustomStringConvertible, Equatable {
    case unknownLibrary(String)
    case unknownRole(String)
    case invalidEmail(String)
    case emailTaken(String)

    var description: String {
        switch self {
        case .unknownLibrary(let code): "no library with code '\(code)'"
        case .unknownRole(let role): "unknown role '\(role)' (expected desk, reviewer or admin)"
        case .invalidEmail(let email): "'\(email)' is not an email address"
        case .emailTaken(let email): "a staff account with email \(email) already exists"
        }
    }
}
