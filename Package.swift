// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "OneCard",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "onecard", targets: ["onecard"]),
    ],
    dependencies: [
        .package(url: "https://github.com/vapor/vapor", from: "4.122.3"),
        .package(url: "https://github.com/vapor/fluent", from: "4.13.0"),
        .package(url: "https://github.com/vapor/fluent-sqlite-driver", from: "4.9.0"),
        .package(url: "https://github.com/vapor/fluent-postgres-driver", from: "2.14.0"),
        .package(url: "https://github.com/vapor/leaf", from: "4.5.2"),
        .package(url: "https://github.com/vapor/leaf-kit", from: "1.14.3"),
        .package(url: "https://github.com/apple/swift-crypto", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/weichsel/ZIPFoundation", from: "0.9.20"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
    ],
    targets: [
        // Library rules: identity numbers, card numbers, working days. No Vapor, no Fluent.
        .target(name: "OneCardDomain"),
        // Field encryption and blind indexes for personal data.
        .target(name: "PersonalDataVault", dependencies: [
            .product(name: "Crypto", package: "swift-crypto"),
        ]),
        // Reader data files (讀者資料檔) of group applications: xlsx, ods and csv, read with bounded memory.
        .target(name: "ReaderDataFile", dependencies: [
            "OneCardDomain",
            .product(name: "ZIPFoundation", package: "ZIPFoundation"),
        ]),
        // SIP2 (3M Standard Interchange Protocol 2.00): codec and a SwiftNIO server; no Vapor.
        .target(name: "SIP2", dependencies: [
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
        ]),
        .target(
            name: "App",
            dependencies: [
                "OneCardDomain",
                "PersonalDataVault",
                "ReaderDataFile",
                "SIP2",
                .product(name: "Vapor", package: "vapor"),
                .product(name: "Fluent", package: "fluent"),
                .product(name: "FluentSQLiteDriver", package: "fluent-sqlite-driver"),
                .product(name: "FluentPostgresDriver", package: "fluent-postgres-driver"),
                .product(name: "Leaf", package: "leaf"),
                .product(name: "LeafKit", package: "leaf-kit"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            resources: [.copy("Resources")]
        ),
        .executableTarget(name: "onecard", dependencies: ["App"]),
        .testTarget(name: "OneCardDomainTests", dependencies: ["OneCardDomain"]),
        .testTarget(name: "PersonalDataVaultTests", dependencies: ["PersonalDataVault"]),
        .testTarget(name: "SIP2Tests", dependencies: ["SIP2"]),
        .testTarget(name: "ReaderDataFileTests", dependencies: ["ReaderDataFile"], resources: [.copy("Fixtures")]),
        .testTarget(name: "AppTests", dependencies: [
            "App",
            "SIP2",
            .product(name: "XCTVapor", package: "vapor"),
        ]),
    ]
)
