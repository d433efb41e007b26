import Foundation
import OneCardDomain
import ReaderDataFile
import Vapor

struct RosterCommandError: Error, CustomStringConvertible {
    let description: String
}
