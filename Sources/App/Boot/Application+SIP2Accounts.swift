import Vapor

extension Application {
    /// The SIP2 account service on the app's database, password hasher and clock, for the `sip2 account`
    /// commands, `seed-demo` and tests.
    var sip2Accounts: SIP2Accounts {
        SIP2Accounts(database: db, passwords: passwordHashing, clock: clock)
    }
}
