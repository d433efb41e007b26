import Fluent
import Foundation
import OneCardDomain
import ReaderDataFile
import Vapor

struct GroupCommandError: Error, CustomStringConvertible {
    let description: String
}
