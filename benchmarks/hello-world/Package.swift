// swift-tools-version:6.0
// Vapor's hello world, the ceiling scripts/benchmark-http measures OneCard against in the same run.
// Keep the Vapor version the one OneCard resolves (Package.resolved / .build/checkouts/vapor).
import PackageDescription

let package = Package(
    name: "HelloWorld",
    platforms: [.macOS(.v13)],
    dependencies: [.package(url: "https://github.com/vapor/vapor", exact: "4.122.3")],
    targets: [
        .executableTarget(name: "HelloWorld", dependencies: [.product(name: "Vapor", package: "vapor")]),
    ]
)
