import Foundation
import XCTest
@testable import LobbyKit

/// Each test gets a fresh lobby-server (own database, own port), a project with the demo
/// owner registry (fixtures/registry/demo.csv) imported by staff, and a phone: a `Lobby`
/// on its own data directory with a `MemorySecretStore` — the twin of the Kotlin tests'
/// `PhoneTestCase`.
class PhoneTestCase: XCTestCase {
    static let projectName = "อาคารชุด ลุมพินี ทดสอบ"
    /// Somchai owns 12/345 and 12/346 in the demo registry.
    static let somchaiPhone = "0812345678"
    static let password = "Lobby-2026"

    var dir: URL!
    var server: TestServer!
    /// The project the demo registry was imported into.
    var project: String!
    var registry: [ImportedUnit] = []
    var secrets = MemorySecretStore()
    var phone: Lobby!

    override func setUpWithError() throws {
        try super.setUpWithError()
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("lobby-swift-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        server = try TestServer.start(in: dir)
        project = try server.createProject(Self.projectName)
        registry = try server.importOwners(project, csv: try fixture("registry/demo.csv"))
        secrets = MemorySecretStore()
        phone = try Lobby(
            dataDirectory: dir.appendingPathComponent("phone"), serverURL: server.url, secrets: secrets)
    }

    override func tearDownWithError() throws {
        phone?.shutdown()
        phone = nil
        server?.close()
        server = nil
        if let dir { try? FileManager.default.removeItem(at: dir) }
        try super.tearDownWithError()
    }

    func unit(_ number: String) -> ImportedUnit {
        guard let found = registry.first(where: { $0.unit == number }) else {
            fatalError("no unit \(number) in the demo registry")
        }
        return found
    }

    /// The whole onboarding journey for a new account, the OTP read from the dev server.
    @discardableResult
    func onboard(_ unit: ImportedUnit, to: String = PhoneTestCase.somchaiPhone) async throws -> SignedIn {
        _ = try await phone.auth.startOnboarding(unit.payload, phone: to, password: Self.password)
        return try await phone.auth.verifyOnboarding(code: try server.peekOtp(to))
    }

    /// Another phone (its own data directory and secrets) on the same server.
    func secondPhone(_ name: String = "phone2") throws -> Lobby {
        try Lobby(
            dataDirectory: dir.appendingPathComponent(name), serverURL: server.url, secrets: MemorySecretStore())
    }

    func fixture(_ path: String) throws -> String {
        guard let root = ProcessInfo.processInfo.environment["LOBBY_FIXTURES"] else {
            throw TestFailure("set LOBBY_FIXTURES=<repo>/fixtures")
        }
        return try String(contentsOfFile: root + "/" + path, encoding: .utf8)
    }
}

/// Runs `block` and checks that it fails with the `LobbyError` code `expected`.
func assertFailsWithCode<T>(
    _ expected: ErrorCode, file: StaticString = #filePath, line: UInt = #line, _ block: () async throws -> T
) async {
    do {
        _ = try await block()
        XCTFail("expected a LobbyError with \(expected)", file: file, line: line)
    } catch let error as LobbyError {
        XCTAssertEqual(error.code, expected, file: file, line: line)
    } catch {
        XCTFail("expected a LobbyError with \(expected), got \(error)", file: file, line: line)
    }
}

/// The one element of `list` (Kotlin's `single`): fails the test otherwise.
func single<T>(_ list: [T], file: StaticString = #filePath, line: UInt = #line) throws -> T {
    guard list.count == 1, let only = list.first else {
        XCTFail("expected exactly one element, got \(list.count): \(list)", file: file, line: line)
        throw TestFailure("expected exactly one element, got \(list.count)")
    }
    return only
}

/// Waits (polling, up to `seconds`) until `condition` holds.
func eventually(_ seconds: Double = 10, _ condition: () throws -> Bool) rethrows -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if try condition() { return true }
        usleep(5_000)
    }
    return try condition()
}

/// The app's secret store as a test sees it: a dictionary, so tests can look inside.
final class MemorySecretStore: SecretStore, @unchecked Sendable {
    private var stored: [String: String] = [:]
    private let lock = NSLock()

    var entries: [String: String] {
        lock.lock()
        defer { lock.unlock() }
        return stored
    }

    func get(key: String) throws -> String? {
        lock.lock()
        defer { lock.unlock() }
        return stored[key]
    }

    func set(key: String, value: String) throws {
        lock.lock()
        defer { lock.unlock() }
        stored[key] = value
    }

    func delete(key: String) throws {
        lock.lock()
        defer { lock.unlock() }
        stored[key] = nil
    }
}
