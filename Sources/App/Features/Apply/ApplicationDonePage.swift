import Fluent

/// What `apply/done.leaf` (線上申辦成功) shows: the application number and the same next steps as the
/// confirmation email (`mail.card_application_received`), so a person without the email, or before it
/// arrives, knows what to do: where it was sent, what to bring where and within how many days, and what
/// happens then.
struct ApplicationDonePage: Encodable {
    let applicationNumber: String
    /// Where the confirmation went; nil when no address was given (then the page says to note the number).
    let email: String?
    let library: String
    /// The library's open service desks, any of which completes the application (a closed one is not named).
    let desks: [String]
    /// How long the desk waits before the application and its personal data are deleted (a string for `#t`).
    let days: String

    /// Read back from the stored application, so the session carries only its number.
    static func query(applicationNumber: String, locale: SiteLocale, pendingApplicationLifetimeDays: Int,
                      database: any Database) async throws -> ApplicationDonePage? {
        guard let patron = try await Patron.query(on: database).filter(\.$applicationNumber == applicationNumber)
            .with(\.$library).first()
        else { return nil }
        let desks = try await ServiceDeskClosure.openDesks(of: patron.$library.id, on: database).map { $0.name(in: locale) }
        return ApplicationDonePage(applicationNumber: applicationNumber, email: patron.email,
                                   library: patron.library.name(in: locale), desks: desks, days: String(pendingApplicationLifetimeDays))
    }
}
