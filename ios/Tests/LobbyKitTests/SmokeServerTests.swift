import XCTest
@testable import LobbyKit

final class SmokeServerTests: PhoneTestCase {
    func testOnboardingAgainstTheRealServer() async throws {
        let signedIn = try await onboard(unit("12/345"))
        XCTAssertTrue(phone.auth.isSignedIn)
        _ = signedIn
        let report = try await phone.sync()
        XCTAssertEqual(report.state, .idle)
        XCTAssertEqual(try phone.units.list().count, 1)
    }
}
