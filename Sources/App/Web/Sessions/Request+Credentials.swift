import Fluent
import Vapor

extension Request {
    /// The password check of this request's sign-in or re-check, with the app's delay unit and decoy hash.
    var credentialCheck: CredentialCheck {
        CredentialCheck(database: db, passwords: passwordHashing, now: now, delayUnit: application.settings.signInDelayUnit,
                        decoyHash: application.decoyPasswordHash, pause: application.signInPause)
    }

    /// Password hashing on the app's hashing pool (never the thread pool SQLite uses).
    var passwordHashing: PasswordHashing { application.passwordHashing }

    /// The rule a reader's new password must pass.
    var readerPasswordRule: ReaderPasswordRule {
        ReaderPasswordRule(vault: application.vault, policy: application.passwordPolicy)
    }
}
