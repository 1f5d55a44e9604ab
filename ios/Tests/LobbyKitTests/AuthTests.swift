import Foundation
import XCTest
@testable import LobbyKit

/// Signing in and out against a real server, and where the sign-in's secrets live — the
/// twin of the Kotlin `AuthTest`.
final class AuthTests: PhoneTestCase {
    /// The sign-in's tokens and its device key (which signs pickup passes).
    private let sessionKeys: Set<String> = ["session.access_token", "session.refresh_token", "session.device_key"]

    /// The key of the phone's encrypted database: the device's, not the session's.
    private let databaseKey = "database.key"

    func testSessionTokensAndDeviceKeyLandInTheAppSecretStoreAndLeaveOnLogout() async throws {
        try await onboard(unit("12/345"))
        XCTAssertEqual(Set(secrets.entries.keys), sessionKeys.union([databaseKey]))
        let confirmed = try await phone.auth.logout()
        XCTAssertTrue(confirmed)
        XCTAssertEqual(Set(secrets.entries.keys), [databaseKey])
        XCTAssertFalse(phone.auth.isSignedIn)
    }

    func testTheDatabaseKeyIsMadeOnFirstOpenAndIs64HexDigits() throws {
        let key = try XCTUnwrap(secrets.entries[databaseKey], "no database key in the app's secret store")
        XCTAssertNotNil(key.range(of: "^[0-9a-f]{64}$", options: .regularExpression), key)
    }

    func testAnOwnerSignsInAgainWithPhoneAndPassword() async throws {
        try await onboard(unit("12/345"))
        try await phone.auth.logout()
        XCTAssertTrue(try phone.units.list().isEmpty)
        let signedIn = try await phone.auth.loginPassword(Self.somchaiPhone, password: Self.password)
        XCTAssertEqual(signedIn.units.map(\.unitNumber), ["12/345"])
        XCTAssertTrue(phone.auth.isSignedIn)
    }

    func testAWrongPasswordIsRefusedWithInvalidCredentials() async throws {
        try await onboard(unit("12/345"))
        try await phone.auth.logout()
        await assertFailsWithCode(.invalidCredentials) {
            try await self.phone.auth.loginPassword(Self.somchaiPhone, password: "Wrong-Password-1")
        }
    }

    func testAnOwnerSignsInWithAnOtpSentToHerEmail() async throws {
        // Onboarding sends its code to the phone; the login code goes to the e-mail (a
        // second code to the same phone within a minute would be rate limited).
        _ = try await phone.auth.startOnboarding(
            unit("B-1203").payload, phone: "0891112222", password: Self.password, email: "jane@example.com")
        _ = try await phone.auth.verifyOnboarding(code: try server.peekOtp("0891112222"))
        try await phone.auth.logout()
        _ = try await phone.auth.loginOTP(to: "jane@example.com")
        let signedIn = try await phone.auth.verifyLogin(code: try server.peekOtp("jane@example.com"))
        XCTAssertEqual(signedIn.units.map(\.unitNumber), ["B-1203"])
    }
}
