import Vapor

struct ErrorPageContext: Encodable {
    let status: Int
    let title: String
    let message: String
}
