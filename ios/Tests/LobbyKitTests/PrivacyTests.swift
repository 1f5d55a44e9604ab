import Foundation
import XCTest
@testable import LobbyKit

/// Privacy requests (DESIGN.md §2.8, issue 11) through the Swift wrapper, the twin of the
/// Kotlin `PrivacyTest`: `phone` files an erasure and an objection (queued, shown at once,
/// 30-day deadline), staff list the open ones by deadline and answer, and the answers
/// sync back.
final class PrivacyTests: PhoneTestCase {
    /// Whole seconds since 1970, as Kotlin's `Instant.epochSecond` (rounded down).
    private func epochSecond(_ date: Date) -> Int64 { Int64(date.timeIntervalSince1970.rounded(.down)) }

    func testRequestsAreFiledListedByStaffAnsweredAndSyncedBack() async throws {
        try await onboard(unit("12/345"))
        await assertFailsWithCode(.invalidInput) { try phone.privacy.fileRequest(.correction) }
        let erasure = try phone.privacy.fileRequest(.erasure)
        XCTAssertTrue(erasure.pending)
        XCTAssertEqual(erasure.status, .open)
        XCTAssertEqual(epochSecond(erasure.deadline) - epochSecond(erasure.filedAt), 30 * 24 * 3600)
        let objection = try phone.privacy.fileRequest(.objection, detail: "ไม่ประสงค์ให้ใช้ข้อมูลเพื่อการตลาด")
        try await phone.sync()
        XCTAssertTrue(try phone.privacy.requests().allSatisfy { !($0.pending || $0.refused != nil) })

        let open = try server.privacyRequests(project)
        XCTAssertEqual(Set(open.compactMap { $0["request_id"] as? String }), [erasure.requestId, objection.requestId])
        XCTAssertEqual(open.count, 2)
        try server.decidePrivacyRequest(erasure.requestId, approve: false, reason: "ยังเป็นเจ้าของห้อง 12/345")
        try server.decidePrivacyRequest(objection.requestId, approve: true)
        try await phone.sync()
        let answered = Dictionary(uniqueKeysWithValues: try phone.privacy.requests().map { ($0.requestId, $0) })
        let erasureAnswered = try XCTUnwrap(answered[erasure.requestId])
        let objectionAnswered = try XCTUnwrap(answered[objection.requestId])
        XCTAssertEqual(erasureAnswered.status, .rejected)
        XCTAssertEqual(erasureAnswered.answer, "ยังเป็นเจ้าของห้อง 12/345")
        XCTAssertEqual(objectionAnswered.status, .approved)
        XCTAssertNil(objectionAnswered.answer)
        XCTAssertTrue(try server.privacyRequests(project).isEmpty)
    }

    func testTheExportIsOneJsonDocumentOfTheServersPartAndThePhonesOwn() async throws {
        try await onboard(unit("12/345"))
        try phone.privacy.fileRequest(.objection, detail: "ไม่รับข่าวสาร")
        let json = try await phone.privacy.export()
        let doc = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        XCTAssertEqual(doc["format"] as? String, "lobby-export/1")
        let server = try XCTUnwrap(doc["server"] as? [String: Any])
        let profile = try XCTUnwrap(server["profile"] as? [[String: Any]])
        let phoneNumber = try XCTUnwrap(profile.first?["phone"] as? String)
        XCTAssertTrue(phoneNumber.hasPrefix("+66"), phoneNumber)
        // The fixture registry gives this owner 12/345 and 12/346.
        XCTAssertEqual((server["units_owned"] as? [Any])?.count, 2)
        // The queued request is the phone's own.
        let device = try XCTUnwrap(doc["device"] as? [String: Any])
        XCTAssertEqual((device["privacy_requests_local"] as? [Any])?.count, 1)
    }
}
