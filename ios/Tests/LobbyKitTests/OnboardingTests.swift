import Foundation
import XCTest
@testable import LobbyKit

/// Onboarding by the unit's QR against a real server (DESIGN.md §2.1) — the twin of the
/// Kotlin `OnboardingTest`.
final class OnboardingTests: PhoneTestCase {
    func testScanningAPayloadShowsTheThaiOwnerNameAndTheUnit() async throws {
        let scanned = try await phone.auth.scanOnboarding(unit("12/345").payload)
        XCTAssertEqual(scanned.ownerName, "สมชาย ใจดี")
        XCTAssertEqual(scanned.unitNumber, "12/345")
        XCTAssertEqual(scanned.projectName, Self.projectName)
        XCTAssertEqual(scanned.projectKind, .condominium)
        XCTAssertTrue(scanned.newAccount)
    }

    func testAPhotoOfTheOnboardingQrScansLikeItsText() async throws {
        let photo = try LobbyQR.render(unit("B-1204").payload)
        let scanned = try await phone.auth.scanOnboarding(image: photo)
        XCTAssertEqual(scanned.ownerName, "นางสาว วิภา ศรีสุข")
        XCTAssertEqual(scanned.unitNumber, "B-1204")
    }

    /// Also the journey the first smoke test checked: signed in, and a sync of the new
    /// account's replica ends idle.
    func testOwnerOnboardsByPayloadAndReadsTheUnitBack() async throws {
        let signedIn = try await onboard(unit("12/345"))
        XCTAssertEqual(signedIn.units.map(\.unitNumber), ["12/345"])
        let units = try phone.units.list()
        XCTAssertEqual(units.count, 1)
        XCTAssertEqual(units.first?.unitId, unit("12/345").unitId)
        XCTAssertEqual(units.first?.role, .owner)
        XCTAssertEqual(units.first?.projectName, Self.projectName)
        XCTAssertTrue(phone.auth.isSignedIn)
        let report = try await phone.sync()
        XCTAssertEqual(report.state, .idle)
        XCTAssertEqual(try phone.units.list().count, 1)
    }

    func testATamperedPayloadIsRefusedOfflineWithOnboardingTokenInvalid() async throws {
        let payload = unit("12/345").payload
        let i = payload.index(payload.startIndex, offsetBy: "LOBBY:ONBOARD:1:".count)
        let tampered = String(payload[..<i]) + (payload[i] == "A" ? "B" : "A") + String(payload[payload.index(after: i)...])
        XCTAssertNotEqual(tampered, payload)
        // A phone whose server cannot be reached: a network call would fail with OFFLINE.
        let offline = try Lobby(
            dataDirectory: dir.appendingPathComponent("offline-phone"), serverURL: "http://127.0.0.1:9",
            secrets: MemorySecretStore())
        defer { offline.shutdown() }
        await assertFailsWithCode(.onboardingTokenInvalid) { try await offline.auth.scanOnboarding(tampered) }
    }

    func testAWeakPasswordIsRefusedWithPasswordWeak() async throws {
        let payload = unit("12/345").payload
        await assertFailsWithCode(.passwordWeak) {
            try await self.phone.auth.startOnboarding(payload, phone: Self.somchaiPhone, password: "alllowercase")
        }
    }

    func testAWrongOtpIsRefusedWithOtpInvalid() async throws {
        _ = try await phone.auth.startOnboarding(unit("12/345").payload, phone: Self.somchaiPhone, password: Self.password)
        let wrong = try server.wrongOtp(Self.somchaiPhone)
        await assertFailsWithCode(.otpInvalid) { try await self.phone.auth.verifyOnboarding(code: wrong) }
        XCTAssertFalse(phone.auth.isSignedIn)
    }

    func testASignedInOwnerAddsASecondUnitByItsQr() async throws {
        try await onboard(unit("12/345"))
        let claimed = try await phone.auth.claimOnboarding(unit("12/346").payload)
        XCTAssertEqual(Set(claimed.units.map(\.unitNumber)), ["12/345", "12/346"])
        XCTAssertEqual(try phone.units.list().filter { $0.unitNumber == "12/346" }.count, 1)
    }

    // MARK: Swift-only

    /// `OnboardingInfo.consents(agreeingTo:)` (Kotlin's `agreeTo`, used by the Kotlin
    /// `ConsentsTest`): every document the scan listed is answered, in the version shown,
    /// agreed only for the kinds named.
    func testConsentsAgreeingToAnswersEveryListedDocumentInTheVersionShown() async throws {
        try server.publishPolicy(kind: "terms", version: "2026-12")
        try server.publishPolicy(kind: "privacy", version: "2026-12")
        try server.publishPolicy(kind: "marketing", version: "1")
        let scanned = try await phone.auth.scanOnboarding(unit("12/345").payload)
        XCTAssertEqual(
            scanned.consents(agreeingTo: .terms, .privacy),
            [
                OnboardingConsent(kind: .terms, version: "2026-12", given: true),
                OnboardingConsent(kind: .privacy, version: "2026-12", given: true),
                OnboardingConsent(kind: .marketing, version: "1", given: false),
            ])
        XCTAssertEqual(scanned.consents().map(\.given), [false, false, false])
    }
}
