import OneCardDomain
import Vapor

struct CardApplicationCreatedDTO: Content {
    let applicationNumber: String
    let status: String
    let nextStep: String
}
