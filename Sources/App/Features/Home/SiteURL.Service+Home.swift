import Fluent
import Vapor

extension SiteURL.Service {
    var localizationKey: String {
        switch self {
        case .cardApplication: "service.apply"
        case .digitalCard: "service.digital_card"
        case .groupApplication: "service.group"
        case .signIn: "service.login"
        }
    }
}
