import OneCardDomain
import Vapor

struct FieldErrorsDTO: Content {
    let errors: [FieldErrorDTO]
}
