import Vapor

/// Stops the password-hashing threads (`PasswordHashingPool`) when the app shuts down.
struct PasswordHashingLifecycle: LifecycleHandler {
    func shutdownAsync(_ application: Application) async {
        await application.passwordHashingPool.shutdown()
    }
}
