import Fluent
import Foundation
import OneCardDomain
import SQLKit
import UploadInspection
import Vapor

/// An uploaded file as the form delivered it: nil or empty when none was chosen.
struct UploadedFile: Sendable {
    let bytes: Data?
    var isMissing: Bool { bytes?.isEmpty ?? true }
}
