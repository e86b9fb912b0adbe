// swift-tools-version:6.1
import PackageDescription

let strict: [SwiftSetting] = [.swiftLanguageMode(.v6)]

let package = Package(
    name: "Nightshift",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "LuaHost", targets: ["LuaHost"]),
        .library(name: "PanelAPI", targets: ["PanelAPI"]),
        .executable(name: "nightshift", targets: ["nightshift"]),
        .executable(name: "nightshift-full", targets: ["nightshift-full"]),
        .executable(name: "nightshift-bench", targets: ["nightshift-bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-crypto", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth", from: "2.5.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
    ],
    targets: [
        // Lua 5.4 from Debian's liblua5.4-dev.
        .systemLibrary(
            name: "CLua",
            pkgConfig: "lua5.4",
            providers: [.apt(["liblua5.4-dev"])]
        ),
        // The only C we write: Lua's macros as functions, the trampoline, allocator, hook.
        .target(name: "CLuaShim", dependencies: ["CLua"]),
        .target(name: "LuaHost", dependencies: ["CLuaShim", "CLua"], swiftSettings: strict),
        // BSD libedit from Debian's libedit-dev, for the REPL's line editing.
        .systemLibrary(name: "CEditLine", pkgConfig: "libedit", providers: [.apt(["libedit-dev"])]),
        .target(name: "REPL", dependencies: ["LuaHost", "CEditLine"], swiftSettings: strict),

        .target(
            name: "PanelAPI",
            dependencies: [
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "PanelEmulator",
            dependencies: [
                "PanelAPI",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        // The vocabulary every part shares: how a run stands or ended, and the receipt a
        // finished run leaves for the scheduler.
        .target(name: "NightshiftCore", swiftSettings: strict),
        // Notification delivery (webhook POST, command with stdin, retries, URL redaction),
        // shared by scripts' notify.send and the scheduler's job notifications.
        .target(
            name: "NotifyDelivery",
            dependencies: [
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "Scheduler",
            dependencies: [
                "NightshiftCore", "NotifyDelivery",
                .product(name: "TOMLKit", package: "TOMLKit"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        // NightshiftConfig: nightshift.toml (panel, limits, notification targets, modules, state,
        // shared records, declared endpoints) and key files.
        .target(
            name: "NightshiftConfig",
            dependencies: ["NightshiftCore", .product(name: "TOMLKit", package: "TOMLKit")],
            swiftSettings: strict
        ),
        // RunRecords: the audit log (SQLite): every run and every write, and what is copied to
        // the shared records.
        .target(
            name: "RunRecords",
            dependencies: ["NightshiftCore", .product(name: "GRDB", package: "GRDB.swift")],
            swiftSettings: strict
        ),
        // ScriptAPI: what scripts can call: the catalogue (resellers.*, declared endpoints,
        // panel.call, notify.send), its Read and Write, grants, declarations, check and types.
        .target(
            name: "ScriptAPI",
            dependencies: [
                "LuaHost", "PanelAPI", "NightshiftCore", "NightshiftConfig", "NotifyDelivery",
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: strict
        ),
        // Plans: a dry-run's writes saved for review, approval and an exact apply.
        .target(
            name: "Plans",
            dependencies: [
                "ScriptAPI", "PanelAPI", "NightshiftConfig", "NightshiftCore",
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: strict
        ),
        // ScriptRuntime: one run of one script (or a REPL session): the guarded panel (caps,
        // modes, audit), tasks, output, notifications.
        .target(
            name: "ScriptRuntime",
            dependencies: [
                "LuaHost", "PanelAPI", "NightshiftCore", "NightshiftConfig", "RunRecords", "ScriptAPI", "NotifyDelivery",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        // SharedRecords: run records and audit rows copied to the PostgreSQL the hosts share.
        .target(
            name: "SharedRecords",
            dependencies: [
                "ScriptRuntime", "ScriptAPI", "RunRecords", "NightshiftConfig", "Scheduler", "NightshiftCore",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        // What the script commands do, as a library: the environment, the panel connection (the
        // emulator as a child), and one run of a script as a process (output threads,
        // watchdog, report, receipt, the copy to the shared records as a child). It links no
        // HTTP server, PostgreSQL client, scheduler or emulator: `nightshift run` starts small.
        .target(
            name: "Operations",
            dependencies: [
                "LuaHost", "PanelAPI", "ScriptRuntime", "ScriptAPI", "RunRecords", "NightshiftConfig", "NightshiftCore",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        // What only nightshift-full does, as a library: plans (keep, approve, apply), the shared
        // records read back, the console's setup and its plan desk, panel tests and listings.
        .target(
            name: "OperationsFull",
            dependencies: [
                "Operations", "PanelAPI", "ScriptRuntime", "ScriptAPI", "RunRecords", "NightshiftConfig", "NightshiftCore",
                "Scheduler", "SharedRecords", "Console", "Plans",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        // The script commands (run, repl, check, types) and the options they share with the
        // full command set, as a library both executables link.
        .target(
            name: "ScriptCommands",
            dependencies: [
                "Operations", "LuaHost", "PanelAPI", "ScriptRuntime", "ScriptAPI", "RunRecords", "NightshiftConfig",
                "NightshiftCore", "REPL",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        // The console: the web pages where operators watch jobs and read runs (Hummingbird,
        // swift-mustache templates and assets compiled in, bcrypt passwords, sessions, CSRF).
        .target(
            name: "Console",
            dependencies: [
                "Scheduler", "RunRecords", "NightshiftCore",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "TOMLKit", package: "TOMLKit"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            swiftSettings: strict
        ),
        // `nightshift`: the script commands, small so that every run starts fast; it hands
        // every other command to nightshift-full beside it (docs/architecture.md).
        .executableTarget(
            name: "nightshift",
            dependencies: [
                "ScriptCommands", "Operations", "NightshiftCore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strict,
            // With --static-swift-stdlib (the install build) the Swift driver exports every
            // symbol of the executable, and the runtime's start-up `dladdr` walks them all.
            // Nothing looks them up by name, so none are exported (a plain build exports none
            // of its own either).
            linkerSettings: [.unsafeFlags(["-Xlinker", "--no-export-dynamic"])]
        ),
        // `nightshift-full`: every command: the scheduler, the console, plans, the emulator,
        // history, panels, and the script commands too.
        .executableTarget(
            name: "nightshift-full",
            dependencies: [
                "ScriptCommands", "LuaHost", "PanelAPI", "PanelEmulator", "Scheduler", "ScriptRuntime", "ScriptAPI", "RunRecords",
                "NightshiftConfig", "NightshiftCore", "Operations", "OperationsFull", "Plans", "SharedRecords", "Console",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict,
            linkerSettings: [.unsafeFlags(["-Xlinker", "--no-export-dynamic"])]
        ),
        .executableTarget(
            name: "nightshift-bench",
            dependencies: [
                "LuaHost", "CLuaShim", "CLua", "PanelAPI", "PanelEmulator", "Scheduler", "ScriptRuntime", "ScriptAPI", "RunRecords", "NightshiftConfig", "NightshiftCore",
                "Console",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Hummingbird", package: "hummingbird"),
            ],
            swiftSettings: strict
        ),

        .testTarget(name: "LuaHostTests", dependencies: ["LuaHost", "CLuaShim", "CLua"], swiftSettings: strict),
        .testTarget(name: "REPLTests", dependencies: ["REPL", "LuaHost"], swiftSettings: strict),
        // PanelAPI / PanelEmulator tests
        .testTarget(
            name: "PanelAPITests",
            dependencies: [
                "PanelAPI", "PanelEmulator", "TestScratch", .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            exclude: ["Fixtures"],
            swiftSettings: strict
        ),
        // Test support: throwaway folders under one folder per test process, removed at exit.
        .target(name: "TestScratch", path: "Tests/TestScratch", swiftSettings: strict),
        // Test support: a recording HTTP receiver for notification tests (webhooks, pings).
        .target(
            name: "TestHTTP",
            dependencies: [
                "PanelEmulator", .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Tests/TestHTTP",
            swiftSettings: strict),
        // Scheduler tests
        .testTarget(
            name: "SchedulerTests",
            dependencies: [
                "Scheduler", "NightshiftCore", "NotifyDelivery", "TestHTTP", .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            swiftSettings: strict
        ),
        // ScriptRuntime tests, and end-to-end tests of the built `nightshift run` binary
        .testTarget(
            name: "ScriptRuntimeTests",
            dependencies: [
                "ScriptRuntime", "ScriptAPI", "RunRecords", "NightshiftConfig", "NightshiftCore", "LuaHost", "PanelAPI", "PanelEmulator", "TestHTTP", "TestScratch",
                .product(name: "Logging", package: "swift-log"), .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "PlansTests",
            dependencies: [
                "Plans", "Operations", "OperationsFull", "Console", "ScriptRuntime", "ScriptAPI", "RunRecords", "NightshiftConfig", "NightshiftCore",
                "LuaHost", "PanelAPI", "PanelEmulator", "TestScratch", "SharedRecords", "Scheduler",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: strict
        ),
        .testTarget(name: "EndToEndTests", dependencies: ["PanelAPI", "TestScratch"], swiftSettings: strict),
        // Console tests: hostile requests against a console on 127.0.0.1, the query plans of its
        // pages, and the browser tests (Selenium driving Debian's chromium, Browser/*.py).
        .testTarget(
            name: "ConsoleTests",
            dependencies: [
                "Console", "Scheduler", "RunRecords", "NightshiftCore", "TestScratch",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            exclude: ["Browser", "Fixtures"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "SharedRecordsTests",
            dependencies: [
                "SharedRecords", "ScriptRuntime", "ScriptAPI", "RunRecords", "NightshiftConfig", "Scheduler", "NightshiftCore", "TestScratch",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
    ]
)
