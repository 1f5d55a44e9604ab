import Foundation
import XCTest
@testable import LobbyKit

/// The person's own profile against a real server: a queued display name, and the login
/// e-mail and phone number changed only by a code sent to the new one — the twin of the
/// Kotlin `ProfileTest`.
final class ProfileTests: PhoneTestCase {
    func testADisplayNameEditShowsAtOnceAndIsConfirmedByTheNextSync() async throws {
        try await onboard(unit("12/345"))
        try phone.profile.setDisplayName("ชาย")
        XCTAssertEqual(try phone.profile.get()?.pendingEdits, 1)
        XCTAssertEqual(try phone.profile.get()?.displayName, "ชาย")
        try await phone.sync()
        let confirmed = try phone.profile.get()
        XCTAssertEqual(confirmed?.pendingEdits, 0)
        XCTAssertEqual(confirmed?.displayName, "ชาย")
    }

    func testTheLoginEmailChangesOnlyWithTheCodeSentToTheNewAddress() async throws {
        try await onboard(unit("12/345"))
        let sent = try await phone.profile.requestEmailChange("Somchai.New@Example.com")
        XCTAssertTrue(sent.sentTo.contains("@"), sent.sentTo)
        let wrong = try server.wrongOtp("somchai.new@example.com")
        await assertFailsWithCode(.otpInvalid) { try await self.phone.profile.confirmEmailChange(code: wrong) }
        XCTAssertEqual(try phone.profile.get()?.email, "somchai@example.com")
        let changed = try await phone.profile.confirmEmailChange(code: try server.peekOtp("somchai.new@example.com"))
        XCTAssertEqual(changed?.email, "somchai.new@example.com")
        XCTAssertEqual(try phone.profile.get()?.email, "somchai.new@example.com")
    }

    func testAnEmailTypedAtOnboardingIsConfirmedByItsOwnCode() async throws {
        _ = try await phone.auth.startOnboarding(
            unit("12/345").payload, phone: Self.somchaiPhone, password: Self.password,
            email: "somchai.typed@example.com")
        let signed = try await phone.auth.verifyOnboarding(code: try server.peekOtp(Self.somchaiPhone))
        XCTAssertEqual(signed.emailCodeSentTo?.contains("@"), true)
        XCTAssertEqual(try phone.profile.get()?.email, "somchai@example.com")
        let changed = try await phone.profile.confirmEmailChange(code: try server.peekOtp("somchai.typed@example.com"))
        XCTAssertEqual(changed?.email, "somchai.typed@example.com")
    }

    func testThePhoneNumberChangesOnlyWithTheCodeSentToTheNewNumber() async throws {
        try await onboard(unit("12/345"))
        await assertFailsWithCode(.phoneInvalid) { try await self.phone.profile.requestPhoneChange("12345") }
        let sent = try await phone.profile.requestPhoneChange("087-654-3210")
        XCTAssertTrue(sent.sentTo.hasPrefix("+66"), sent.sentTo)
        let wrong = try server.wrongOtp("0876543210")
        await assertFailsWithCode(.otpInvalid) { try await self.phone.profile.confirmPhoneChange(code: wrong) }
        XCTAssertEqual(try phone.profile.get()?.phone, "+66812345678")
        let changed = try await phone.profile.confirmPhoneChange(code: try server.peekOtp("0876543210"))
        XCTAssertEqual(changed?.phone, "+66876543210")
        XCTAssertEqual(try phone.profile.get()?.phone, "+66876543210")
    }
}
