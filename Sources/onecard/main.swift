import App
import Vapor

var environment = try Environment.detect()
try OneCardLogging.bootstrap(from: &environment)
let app = try await Application.make(environment)
do {
    try await configure(app)
    try await app.execute()
} catch {
    app.logger.report(error: error)
    FileHandle.standardError.write(Data("error: \(error)\n".utf8))
    try? await app.asyncShutdown()
    exit(1)
}
try await app.asyncShutdown()
