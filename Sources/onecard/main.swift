import App
import Vapor

var environment = try Environment.detect()
try OneCardLogging.bootstrap(from: &environment)
let app = try await Application.make(environment)
do {
    try await configure(app)
    try await app.execute()
} catch {
    FileHandle.standardError.write(Data("error: \(error)\n".utf8))
    try? await app.asyncShutdown()
    exit(1)
}
try await app.asyncShutdown()
