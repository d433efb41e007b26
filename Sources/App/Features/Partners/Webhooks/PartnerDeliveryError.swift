import Crypto
import Fluent
import Foundation
import Vapor

enum PartnerDeliveryError: Error, CustomStringConvertible {
    case noEndpoint
    case unreachable(String)
    case refused(status: Int)

    var description: String {
        switch self {
        case .noEndpoint: "no enabled endpoint for this partner"
        case .unreachable(let reason): "endpoint unreachable (\(reason))"
        case .refused(let status): "endpoint answered HTTP \(status)"
        }
    }
}
