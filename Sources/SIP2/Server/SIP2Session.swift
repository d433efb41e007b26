import Foundation

/// The protocol side of one connection: state (logged-in account, last response, invalid-message
/// count) and the answer to each received message. No I/O; the server feeds it frames in order.
struct SIP2Session {
    struct Output: Sendable {
        var response: [UInt8]?
        var close = false
    }

    let configuration: SIP2Server.Configuration
    let backend: any SIP2Backend
    let throttle: SIP2LoginThrottle
    let log: @Sendable (SIP2LogRecord) -> Void
    let remoteAddress: String?

    private(set) var account: SIP2Account?
    private var location: String?
    private var lastResponse: [UInt8]?
    private var consecutiveInvalidMessages = 0

    init(
        configuration: SIP2Server.Configuration, backend: any SIP2Backend, throttle: SIP2LoginThrottle,
        remoteAddress: String?, log: @escaping @Sendable (SIP2LogRecord) -> Void
    ) {
        self.configuration = configuration
        self.backend = backend
        self.throttle = throttle
        self.remoteAddress = remoteAddress
        self.log = log
    }

    private var encoding: SIP2TextEncoding { account?.encoding ?? configuration.loginEncoding }

    /// Answers one received message (its bytes without the line end).
    mutating func handle(_ bytes: [UInt8]) async -> Output {
        let received: SIP2ReceivedMessage
        do {
            // Before login no account's setting applies yet: checksums are read but not checked here;
            // the 93's is judged by the account it logs into (see `login`).
            received = try SIP2Message.decode(bytes, encoding: encoding, verifyChecksum: account?.errorDetection ?? false)
        } catch .checksumMismatch {
            return invalid("checksum mismatch", requestResend: true)
        } catch .empty {
            return Output()
        } catch {
            return invalid(error.description, requestResend: account?.errorDetection ?? false)
        }
        let message = received.message
        let trailer = received.checksum != nil || account?.errorDetection == true

        do {
            switch SIP2Command(rawValue: message.command) {
            case .requestACSResend where account != nil || configuration.allowsStatusBeforeLogin:
                return Output(response: lastResponse)
            case .login:
                return try await login(
                    SIP2LoginRequest(message), sequence: message.sequenceNumber, trailer: received.checksum != nil,
                    checksumMismatch: received.checksumMatches == false)
            case .scStatus where account != nil || configuration.allowsStatusBeforeLogin:
                return respond(acsStatus(), to: message, trailer: trailer)
            case _ where account == nil:
                log(.notice, "request_before_login", "closing: \(loggable(message.command)) received before login", addressMetadata)
                return Output(close: true)
            case .patronStatusRequest:
                return respond(try await patronStatus(SIP2PatronStatusRequest(message)), to: message, trailer: trailer)
            case .patronInformation:
                return respond(try await patronInformation(SIP2PatronInformationRequest(message)), to: message, trailer: trailer)
            case .endPatronSession:
                let request = try SIP2EndPatronSessionRequest(message)
                let response = SIP2EndSessionResponse(
                    endSession: true, transactionDate: now(), institution: institution(request.institution),
                    patronIdentifier: request.patronIdentifier)
                return respond(response.message, to: message, trailer: trailer)
            default:
                return invalid("unsupported command \(loggable(message.command))", requestResend: false)
            }
        } catch let error as SIP2DecodingError {
            return invalid(error.description, requestResend: account?.errorDetection ?? false)
        } catch {
            log(.error, "backend_error", "closing: the backend failed: \(error)", addressMetadata)
            return Output(close: true)
        }
    }

    // MARK: Messages

    /// `checksumMismatch`: the 93 carried a checksum that does not match. It is read anyway, and refused
    /// with a 96 only when the account it names has error detection on; with it off the login stands.
    private mutating func login(
        _ request: SIP2LoginRequest, sequence: Int?, trailer: Bool, checksumMismatch: Bool
    ) async throws -> Output {
        account = nil  // A new login replaces the previous one, and a failed one leaves none.
        location = request.location
        var metadata = addressMetadata
        metadata["user"] = loggable(request.user)

        func answer(_ ok: Bool, trailer: Bool) -> Output {
            var message = SIP2LoginResponse(ok: ok).message
            message.sequenceNumber = sequence
            return respond(message, trailer: trailer)
        }

        if let remaining = throttle.lockout(user: request.user, address: remoteAddress) {
            metadata["lockoutSeconds"] = String(remaining.components.seconds)
            log(.warning, "login_locked_out", "SIP2 login refused: user or address locked out", metadata)
            try await backend.loginRefusedDuringLockout(user: request.user, remoteAddress: remoteAddress)
            try? await Task.sleep(for: throttle.policy.maximumDelay)
            return answer(false, trailer: trailer)
        }

        guard let found = try await backend.login(
            user: request.user, password: request.password, location: request.location, remoteAddress: remoteAddress)
        else {
            let failure = throttle.recordFailure(user: request.user, address: remoteAddress)
            metadata["failuresForUser"] = String(failure.failuresForUser)
            if remoteAddress != nil { metadata["failuresForAddress"] = String(failure.failuresForAddress) }
            metadata["lockedOut"] = String(failure.lockedOut)
            log(.warning, "login_failed", "SIP2 login failed", metadata)
            try? await Task.sleep(for: failure.delay)
            return answer(false, trailer: trailer)
        }
        if checksumMismatch && found.errorDetection {
            // The bytes may be damaged, so the login is not taken: the client is asked to resend. The
            // password was right, so this counts neither as a failure nor as a success.
            log(.notice, "login_checksum_mismatch", "SIP2 login not taken: checksum mismatch, the account has error detection on", metadata)
            return invalid("checksum mismatch on login", requestResend: true)
        }
        try await backend.loginTaken(found, remoteAddress: remoteAddress)
        throttle.recordSuccess(user: request.user)
        account = found
        metadata["account"] = found.id
        log(.info, "login", "SIP2 login", metadata)
        return answer(true, trailer: trailer || found.errorDetection)
    }

    private func acsStatus() -> SIP2Message {
        SIP2ACSStatusResponse(
            online: true, checkinOK: false, checkoutOK: false, renewalPolicy: false, statusUpdateOK: false, offlineOK: false,
            timeoutPeriod: configuration.timeoutPeriod, retriesAllowed: configuration.retriesAllowed, dateTime: now(),
            protocolVersion: SIP2.protocolVersion, institution: account?.institution ?? "", libraryName: account?.libraryName,
            supportedMessages: .implementedByServer, terminalLocation: account == nil ? nil : location
        ).message
    }

    private struct Lookup {
        var patron: SIP2Patron?
        /// CQ: nil when no password was given (or the patron is unknown).
        var passwordValid: Bool?
        /// Name and contact details go only to trusted accounts, and not after a wrong password.
        var disclosesPersonalData: Bool
        var screenMessages: [String]
    }

    private func lookUp(identifier: String, password: String?, account: SIP2Account) async throws -> Lookup {
        guard !identifier.isEmpty, let patron = try await backend.patron(identifier: identifier, account: account) else {
            return Lookup(patron: nil, passwordValid: nil, disclosesPersonalData: false, screenMessages: [])
        }
        var passwordValid: Bool?
        if let password, !password.isEmpty {
            passwordValid = try await backend.verifyPatronPassword(password, patron: patron, account: account)
        }
        var screenMessages = patron.screenMessages
        if patron.expired, let text = configuration.expiredCardScreenMessage { screenMessages.append(text) }
        if patron.suspended, let text = configuration.suspendedCardScreenMessage { screenMessages.append(text) }
        return Lookup(
            patron: patron, passwordValid: passwordValid,
            disclosesPersonalData: account.mayReadPersonalData && passwordValid != false, screenMessages: screenMessages)
    }

    private func patronStatus(_ request: SIP2PatronStatusRequest) async throws -> SIP2Message {
        let lookup = try await lookUp(identifier: request.patronIdentifier, password: request.patronPassword, account: account!)
        return SIP2PatronStatusResponse(
            patronStatus: lookup.patron?.patronStatus ?? .unknownPatron, language: request.language, transactionDate: now(),
            institution: institution(request.institution), patronIdentifier: request.patronIdentifier,
            personalName: lookup.disclosesPersonalData ? lookup.patron?.name ?? "" : "",
            validPatron: lookup.patron != nil, validPatronPassword: lookup.passwordValid, screenMessages: lookup.screenMessages
        ).message
    }

    private func patronInformation(_ request: SIP2PatronInformationRequest) async throws -> SIP2Message {
        let lookup = try await lookUp(identifier: request.patronIdentifier, password: request.patronPassword, account: account!)
        let patron = lookup.patron
        let personal = lookup.disclosesPersonalData ? patron : nil
        return SIP2PatronInformationResponse(
            patronStatus: patron?.patronStatus ?? .unknownPatron, language: request.language, transactionDate: now(),
            institution: institution(request.institution), patronIdentifier: request.patronIdentifier,
            personalName: personal?.name ?? "", holdItemsLimit: patron?.holdItemsLimit,
            overdueItemsLimit: patron?.overdueItemsLimit, chargedItemsLimit: patron?.chargedItemsLimit,
            validPatron: patron != nil, validPatronPassword: lookup.passwordValid, homeAddress: personal?.address,
            emailAddress: personal?.email, homePhoneNumber: personal?.phone, screenMessages: lookup.screenMessages
        ).message
    }

    // MARK: Helpers

    /// AO echoes the request's institution, as Koha does; the account's when the request sent none.
    private func institution(_ requested: String) -> String {
        requested.isEmpty ? account?.institution ?? "" : requested
    }

    private func now() -> String { SIP2DateTime.string(from: configuration.clock(), timeZone: configuration.timeZone) }

    private mutating func respond(_ response: SIP2Message, to request: SIP2Message, trailer: Bool) -> Output {
        var response = response
        response.sequenceNumber = request.sequenceNumber
        return respond(response, trailer: trailer)
    }

    private mutating func respond(_ response: SIP2Message, trailer: Bool) -> Output {
        let bytes = response.encoded(encoding: encoding, errorDetection: trailer)
        lastResponse = bytes
        consecutiveInvalidMessages = 0
        return Output(response: bytes)
    }

    private mutating func invalid(_ reason: String, requestResend: Bool) -> Output {
        consecutiveInvalidMessages += 1
        var metadata = addressMetadata
        metadata["count"] = String(consecutiveInvalidMessages)
        if consecutiveInvalidMessages >= configuration.maximumConsecutiveInvalidMessages {
            log(.warning, "invalid_messages", "closing after \(consecutiveInvalidMessages) invalid messages: \(reason)", metadata)
            return Output(close: true)
        }
        log(.debug, "invalid_message", "invalid message: \(reason)", metadata)
        guard requestResend else { return Output() }
        return Output(response: SIP2RequestSCResend().message.encoded(errorDetection: true))
    }

    private var addressMetadata: [String: String] { remoteAddress.map { ["address": $0] } ?? [:] }

    private func log(_ level: SIP2LogRecord.Level, _ event: String, _ message: String, _ metadata: [String: String] = [:]) {
        log(SIP2LogRecord(level: level, event: event, message: message, metadata: metadata))
    }
}
