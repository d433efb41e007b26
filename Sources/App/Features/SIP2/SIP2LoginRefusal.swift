import Fluent
import Foundation
import Logging
import NIOConcurrencyHelpers
import OneCardDomain
import SIP2
import Vapor

/// Why a SIP2 login was refused, for the audit trail and the log; never the password, and the login
/// user only when it names an account (an unknown one may be a password typed into the wrong field).
enum SIP2LoginRefusal: String {
    case unknownUser = "unknown_user"
    case wrongPassword = "wrong_password"
    case disabled
    case addressNotAllowed = "address_not_allowed"
    /// Refused without checking the password: the user or the client's address is locked out after
    /// too many failed logins (`SIP2LoginThrottle`).
    case lockedOut = "locked_out"

    init(record: SIP2AccountRecord?, passwordVerified: Bool) {
        if record == nil { self = .unknownUser }
        else if !passwordVerified { self = .wrongPassword }
        else if record?.disabledAt != nil { self = .disabled }
        else { self = .addressNotAllowed }
    }

    /// Writes `sip2.sign_in_refused` (details: reason, and the user when `account` is known) and logs it.
    func record(account: SIP2AccountRecord?, remoteAddress: String?, logger: Logger, at now: Date, on database: any Database) async throws {
        var details = ["reason": rawValue]
        var metadata: Logger.Metadata = ["event": "sip2_login_refused", "reason": .string(rawValue)]
        if let account {
            details["user"] = account.loginUser
            metadata["account"] = .string(account.id?.uuidString ?? "")
        }
        if let remoteAddress { metadata["address"] = .string(remoteAddress) }
        logger.notice("SIP2 login refused: \(rawValue)", metadata: metadata)
        let subject: (type: String, id: String)? = account?.id.map { (type: "sip2_account", id: $0.uuidString) }
        try await AuditTrail.record(
            "sip2.sign_in_refused",
            by: AuditActor(type: account == nil ? "anonymous" : "sip2_account", id: account?.id?.uuidString, ipAddress: remoteAddress),
            subject: subject,
            libraryID: account?.$library.id, details: details, at: now, on: database)
    }
}
