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
        // TLS for the mail relay (STARTTLS, smtps) and PostgreSQL; Vapor brings it too, but App imports it itself.
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-certificates", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-asn1", from: "1.7.4"),
        .package(url: "https://github.com/vapor/jwt-kit", from: "5.7.1"),
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
        // The mobile library card's Code 128 and QR code, drawn as PNG or SVG. Standard library and Foundation only.
        .target(name: "CardBarcode"),
        // Uploaded ID scans and forms: JPEG, PNG or PDF by content, size- and pixel-bounded, metadata stripped. Foundation only.
        .target(name: "UploadInspection"),
        // 自然人憑證: the card's signature over a nonce, the chain to GRCA/MOICA, CRLs, the holder's name. No Vapor.
        .target(name: "CitizenCertificate", dependencies: [
            .product(name: "X509", package: "swift-certificates"),
            .product(name: "SwiftASN1", package: "swift-asn1"),
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "_CryptoExtras", package: "swift-crypto"),
        ]),
        .target(
            name: "App",
            dependencies: [
                "OneCardDomain",
                "PersonalDataVault",
                "ReaderDataFile",
                "SIP2",
                "CardBarcode",
                "CitizenCertificate",
                "UploadInspection",
                .product(name: "Vapor", package: "vapor"),
                .product(name: "Fluent", package: "fluent"),
                .product(name: "FluentSQLiteDriver", package: "fluent-sqlite-driver"),
                .product(name: "FluentPostgresDriver", package: "fluent-postgres-driver"),
                .product(name: "Leaf", package: "leaf"),
                .product(name: "LeafKit", package: "leaf-kit"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "JWTKit", package: "jwt-kit"),
                // RSA keys for RS256 ID tokens (JWTKit signs with them; it cannot make one).
                .product(name: "CryptoExtras", package: "swift-crypto"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOTLS", package: "swift-nio"),
            ],
            resources: [.copy("Resources")]
        ),
        .executableTarget(name: "onecard", dependencies: ["App"]),
        // Test support: python, openssl, curl and the `onecard` executable run as child processes and awaited without
        // holding a thread of Swift's cooperative pool (issue #16 item 4). Foundation only; used by the test targets.
        .target(name: "TestSubprocess", path: "Tests/TestSubprocess"),
        .testTarget(name: "OneCardDomainTests", dependencies: ["OneCardDomain"]),
        .testTarget(name: "PersonalDataVaultTests", dependencies: ["PersonalDataVault"]),
        .testTarget(name: "SIP2Tests", dependencies: ["SIP2", "TestSubprocess"]),
        .testTarget(name: "ReaderDataFileTests", dependencies: ["ReaderDataFile", "TestSubprocess"], resources: [.copy("Fixtures")]),
        // The python helper is run by the real-reader tests, not compiled or bundled.
        .testTarget(name: "CardBarcodeTests", dependencies: ["CardBarcode", "TestSubprocess"], exclude: ["read_barcodes.py"]),
        .testTarget(name: "UploadInspectionTests", dependencies: ["UploadInspection", "TestSubprocess"], exclude: ["make_upload_fixtures.py"]),
        .testTarget(name: "CitizenCertificateTests", dependencies: [
            "CitizenCertificate",
            "TestSubprocess",
            .product(name: "X509", package: "swift-certificates"),
            .product(name: "SwiftASN1", package: "swift-asn1"),
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "_CryptoExtras", package: "swift-crypto"),
        ]),
        .testTarget(name: "AppTests", dependencies: [
            "App",
            "SIP2",
            "TestSubprocess",
            .product(name: "XCTVapor", package: "vapor"),
            // Tokens signed by the tests' own keys, for the ID token checks a real provider will not get wrong.
            .product(name: "JWTKit", package: "jwt-kit"),
            .product(name: "CryptoExtras", package: "swift-crypto"),
        ]),
    ]
)
