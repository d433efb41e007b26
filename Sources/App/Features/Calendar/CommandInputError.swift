import Fluent
import Foundation
import OneCardDomain
import Vapor

struct CommandInputError: Error, CustomStringConvertible {
    let description: String
}
