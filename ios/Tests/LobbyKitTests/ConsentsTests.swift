import Foundation
import XCTest
@testable import LobbyKit

/// Consents (DESIGN.md §2.8, issue 11) through the Swift wrapper, the twin of the Kotlin
/// `ConsentsTest`: staff bring documents into force through the admin API, `phone` learns
/// by sync what to ask, answers (queued, shown at once), and is asked again when a new
/// version of a required document comes.
final class ConsentsTests: PhoneTestCase {
    func testDocumentsInForceAreAskedAnsweredAndAskedAgainForANewVersion() async throws {
        try await onboard(unit("12/345"))
        await assertFailsWithCode(.notFound) { try phone.consents.give(.terms) }
        try server.publishPolicy(kind: "terms", version: "2026-11")
        try server.publishPolicy(kind: "privacy", version: "2026-11")
        try server.publishPolicy(kind: "marketing", version: "1")
        try await phone.sync()
        XCTAssertEqual(try phone.consents.toAsk(), [.terms, .privacy, .marketing])

        try phone.consents.give(.terms)
        try phone.consents.give(.privacy, version: "2026-11")
        try phone.consents.withdraw(.marketing)
        let queued = try phone.consents.list()
        XCTAssertTrue(queued.allSatisfy { $0.pending && !$0.ask })
        XCTAssertEqual(queued.map(\.given), [true, true, false])
        await assertFailsWithCode(.conflict) { try phone.consents.give(.terms, version: "2025-01") }

        try await phone.sync()
        let recorded = try phone.consents.list()
        XCTAssertTrue(recorded.allSatisfy { !$0.pending })
        XCTAssertEqual(recorded[0].version, "2026-11")
        XCTAssertEqual(recorded[2].currentVersion, "1")
        XCTAssertFalse(recorded[2].given)

        try server.publishPolicy(kind: "terms", version: "2027-01")
        try await phone.sync()
        XCTAssertEqual(try phone.consents.toAsk(), [.terms])
    }

    func testAnOwnerWhoAnsweredAtOnboardingIsAskedNothingAfterTheFirstSync() async throws {
        try server.publishPolicy(kind: "terms", version: "2026-12")
        try server.publishPolicy(kind: "privacy", version: "2026-12")
        try server.publishPolicy(kind: "marketing", version: "1")
        let scanned = try await phone.auth.scanOnboarding(unit("12/345").payload)
        XCTAssertEqual(scanned.policies.map(\.kind), [.terms, .privacy, .marketing])
        XCTAssertEqual(scanned.policies.map(\.version), ["2026-12", "2026-12", "1"])
        // The Kotlin test's `scanned.agreeTo(TERMS, PRIVACY)`: every listed document
        // answered in the version shown, terms and privacy agreed, marketing refused.
        let agreed: [ConsentKind] = [.terms, .privacy]
        let answers = scanned.policies.map {
            OnboardingConsent(kind: $0.kind, version: $0.version, given: agreed.contains($0.kind))
        }
        _ = try await phone.auth.startOnboarding(
            unit("12/345").payload, phone: Self.somchaiPhone, password: Self.password, consents: answers)
        _ = try await phone.auth.verifyOnboarding(code: try server.peekOtp(Self.somchaiPhone))

        XCTAssertEqual(try phone.consents.toAsk(), [])
        let shown = try phone.consents.list()
        XCTAssertEqual(shown.map(\.version), ["2026-12", "2026-12", "1"])
        XCTAssertEqual(shown.map(\.given), [true, true, false])
        XCTAssertTrue(shown.allSatisfy { !($0.pending || $0.ask || $0.at == nil) })
    }

    func testWhatToAskIsObservedAndReEmittedWhenANewVersionArrives() async throws {
        try await onboard(unit("12/345"))
        try server.publishPolicy(kind: "privacy", version: "1")
        try await phone.sync()
        let seen = StreamInbox(phone.consents.observeToAsk(in: phone))
        defer { seen.cancel() }
        let first = try await seen.next()
        XCTAssertEqual(first, [.privacy])
        try phone.consents.give(.privacy)
        var ask = try await seen.next()
        while !ask.isEmpty { ask = try await seen.next() }
        try server.publishPolicy(kind: "privacy", version: "2")
        try await phone.sync()
        ask = try await seen.next()
        while ask.isEmpty { ask = try await seen.next() }
        XCTAssertEqual(ask, [.privacy])
    }
}
