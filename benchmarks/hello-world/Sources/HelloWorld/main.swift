import Vapor

// The Vapor template's hello world, served as `onecard serve` is: same logging setup and default
// event loops. `HelloWorld serve --hostname 127.0.0.1 --port N`.
var env = try Environment.detect()
try LoggingSystem.bootstrap(from: &env)
let app = try await Application.make(env)
app.get { _ in "It works!" }
app.get("hello") { _ in "Hello, world!" }
do {
    try await app.execute()
} catch {
    try? await app.asyncShutdown()
    throw error
}
try await app.asyncShutdown()
