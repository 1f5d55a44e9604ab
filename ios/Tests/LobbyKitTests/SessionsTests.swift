import Foundation
import XCTest
@testable import LobbyKit

/// Devices and sessions (issue 11): which device, last seen, and this one — the twin of
/// the Kotlin `SessionsTest`.
final class SessionsTests: PhoneTestCase {
    private let tabletLabel = "Galaxy Tab S9 · แท็บเล็ต"

    /// A second device of the same owner, labelled, signed in with the password; shut
    /// down when `block` returns or throws.
    private func withTablet<T>(_ block: (Lobby) async throws -> T) async throws -> T {
        let tablet = try Lobby(
            dataDirectory: dir.appendingPathComponent("tablet"), serverURL: server.url,
            secrets: MemorySecretStore(), deviceLabel: tabletLabel)
        defer { tablet.shutdown() }
        _ = try await tablet.auth.loginPassword(Self.somchaiPhone, password: Self.password)
        return try await block(tablet)
    }

    func testTwoSignInsAreListedWithTheirLabelsAndEachPhoneIsCurrentOnItsOwnList() async throws {
        try await onboard(unit("12/345"))
        try await withTablet { tablet in
            let fromTablet = try await tablet.auth.sessions()
            let fromPhone = try await phone.auth.sessions()
            XCTAssertEqual(fromTablet.count, 2)
            XCTAssertEqual(Set(fromTablet.map(\.sessionId)), Set(fromPhone.map(\.sessionId)))

            let tabletOwn = try single(fromTablet.filter(\.current))
            XCTAssertEqual(tabletOwn.device, tabletLabel)
            // This test's phone gave no label: an unknown device.
            let phoneOwn = try single(fromPhone.filter(\.current))
            XCTAssertNil(phoneOwn.device)
            XCTAssertEqual(tabletOwn.sessionId, try single(fromPhone.filter { !$0.current }).sessionId)
            // The most recently seen first: the tablet signed in last.
            XCTAssertEqual(fromPhone.first?.device, tabletLabel)
            XCTAssertTrue(fromPhone.allSatisfy { $0.signedInAt <= $0.lastSeen }, "\(fromPhone)")
        }
    }

    func testErasingTheTabletEndsItsSignInSoThePhoneNoLongerListsIt() async throws {
        try await onboard(unit("12/345"))
        try await withTablet { tablet in
            let before = try await phone.auth.sessions()
            XCTAssertEqual(before.count, 2)
            let told = try await tablet.signOutAndWipe()
            XCTAssertTrue(told)
            XCTAssertFalse(tablet.auth.isSignedIn)
            XCTAssertTrue(try tablet.units.list().isEmpty)
        }
        let left = try await phone.auth.sessions()
        XCTAssertEqual(left.count, 1)
        XCTAssertTrue(try single(left).current)
    }

    func testLoggingOutEverywhereOnTheTabletWipesThePhoneAtItsNextSync() async throws {
        try await onboard(unit("12/345"))
        try await withTablet { tablet in
            let confirmed = try await tablet.auth.logout(everywhere: true)
            XCTAssertTrue(confirmed)
        }
        let report = try await phone.sync()
        XCTAssertTrue(isUnauthorized(report.state), "\(report.state)")
        XCTAssertFalse(phone.auth.isSignedIn)
        XCTAssertTrue(try phone.units.list().isEmpty)
        await assertFailsWithCode(.unauthorized) { try await self.phone.auth.sessions() }
    }

    func testReportingMisuseFromTheTabletEndsEverySignInAndTheReportIsListedAfterSigningInAgain() async throws {
        try await onboard(unit("12/345"))
        let report = try await withTablet { tablet in
            await assertFailsWithCode(.invalidInput) { try await tablet.auth.reportMisuse(detail: "ปลอม\u{202E}") }
            let report = try await tablet.auth.reportMisuse(detail: "มีคนใช้บัญชีของฉัน")
            XCTAssertFalse(tablet.auth.isSignedIn)
            return report
        }
        // Whole minutes from now, truncated as Kotlin's Duration.toMinutes.
        let minutes = Int(report.deadline.timeIntervalSinceNow / 60)
        XCTAssertTrue((71 * 60...72 * 60).contains(minutes), "\(minutes)")
        let state = try await phone.sync().state
        XCTAssertTrue(isUnauthorized(state), "\(state)")
        XCTAssertFalse(phone.auth.isSignedIn)
        _ = try await phone.auth.loginPassword(Self.somchaiPhone, password: Self.password)
        let listed = try single(try phone.privacy.requests().filter { $0.requestId == report.requestId })
        XCTAssertEqual(listed.kind, .misuse)
        XCTAssertEqual(listed.detail, "มีคนใช้บัญชีของฉัน")
    }

    private func isUnauthorized(_ state: SyncState) -> Bool {
        if case let .error(code, _) = state { return code == .unauthorized }
        return false
    }
}
