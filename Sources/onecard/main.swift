import App
import Vapor

var environment = try Environment.detect()
// Vapor reads .env inside Application.make, after logging has been set up; read it first so that a
// LOG_LEVEL written there is honoured too (values already in the process environment still win).
let fileio = NonBlockingFileIO(threadPool: .singleton)
for file in [".env.\(environment.name)", ".env"] {
    try? await DotEnvFile.load(path: file, fileio: fileio, overwrite: false)
}
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
