import OneCardDomain
import Vapor

struct FieldErrorDTO: Content {
    let field: String
    let code: String
    let message: String
}
