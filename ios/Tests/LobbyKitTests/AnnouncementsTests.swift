import Foundation
import XCTest
@testable import LobbyKit

/// Announcements (DESIGN.md §2.5, issue 10) through the Swift wrapper, the twin of the
/// Kotlin `AnnouncementsTest`: `phone` is Somchai, owner of 12/345 in the demo registry;
/// staff post through the server's admin API and read who opened what.
final class AnnouncementsTests: PhoneTestCase {
    /// A small, whole PDF (the server sniffs the bytes).
    static let pdf = Data("%PDF-1.4\n% ประกาศ\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n".utf8)

    private var somchai: String { unit("12/345").unitId }

    /// The phone's unread count for 12/345.
    private func unread() throws -> UInt32 {
        let counts = try phone.announcements.unreadCountsNow().filter { $0.unitId == somchai }
        guard counts.count == 1 else { throw TestFailure("12/345 has \(counts.count) unread counts") }
        return counts[0].unread
    }

    private func readers(_ announcementId: String) throws -> [[String: Any]] {
        guard let readers = try server.announcementReaders(announcementId)["readers"] as? [[String: Any]] else {
            throw TestFailure("the readers of \(announcementId) are not a list")
        }
        return readers
    }

    func testUnreadFallsAsTheListIsLeftAndTheAcknowledgeOneIsOpenedAndStaffThenSeeTheOwner() async throws {
        let me = try await onboard(unit("12/345"))
        let water = try server.postAnnouncement(project, title: "งดจ่ายน้ำวันอังคาร", kind: "general")
        let rule = try server.postAnnouncement(
            project, title: "กฎใหม่ของสระว่ายน้ำ", kind: "acknowledge", unitIds: [somchai])
        // For another unit only: never shown here.
        _ = try server.postAnnouncement(project, title: "เฉพาะห้อง B-1203", kind: "general", unitIds: [unit("B-1203").unitId])
        XCTAssertEqual(try phone.announcements.list(unitId: somchai), [])
        XCTAssertEqual(try unread(), 0)

        try await phone.sync()
        let list = try phone.announcements.list(unitId: somchai)
        XCTAssertEqual(list.map(\.announcementId), [rule, water])
        XCTAssertEqual(list.map(\.title), ["กฎใหม่ของสระว่ายน้ำ", "งดจ่ายน้ำวันอังคาร"])
        XCTAssertEqual(list.map(\.kind), [.acknowledge, .general])
        XCTAssertEqual(list.first?.body, "เรียนท่านเจ้าของร่วม\nรายละเอียดตามประกาศ")
        XCTAssertTrue(list.allSatisfy { $0.unread && !$0.opened && $0.unitId == somchai && $0.attachment == nil })
        XCTAssertEqual(try unread(), 2)

        // Leaving the list clears the general one only.
        try phone.announcements.listLeft(unitId: somchai)
        XCTAssertEqual(try unread(), 1)
        let left = try phone.announcements.list(unitId: somchai)
        XCTAssertEqual(left.map(\.unread), [true, false])

        // Opening the acknowledge one acknowledges it on the phone at once.
        let opened = try phone.announcements.open(rule, unitId: somchai)
        XCTAssertEqual(opened.announcementId, rule)
        XCTAssertTrue(opened.opened)
        XCTAssertFalse(opened.unread)
        XCTAssertEqual(try unread(), 0)
        XCTAssertEqual(try phone.announcements.unreadCountsNow(), [UnitUnread(unitId: somchai, unread: 0)])
        XCTAssertEqual(try readers(rule).count, 0)

        // Staff learn of it with the sync; leaving a list is not a read receipt.
        try await phone.sync()
        let readersOfRule = try readers(rule)
        XCTAssertEqual(readersOfRule.count, 1)
        let reader = try XCTUnwrap(readersOfRule.first)
        XCTAssertEqual(reader["person_id"] as? String, me.personId)
        XCTAssertEqual(reader["unit_id"] as? String, somchai)
        XCTAssertEqual(reader["unit"] as? String, "12/345")
        XCTAssertEqual(reader["name"] as? String, "สมชาย ใจดี")
        XCTAssertEqual(try readers(water).count, 0)
        XCTAssertEqual(try unread(), 0)
    }

    func testTheUnreadFlowReEmitsAfterAPostAndASyncAndAfterTheListIsLeft() async throws {
        try await onboard(unit("12/345"))
        let seen = StreamInbox(phone.announcements.unreadCounts())
        defer { seen.cancel() }
        let first = try await seen.next()
        XCTAssertEqual(first, [UnitUnread(unitId: somchai, unread: 0)])

        _ = try server.postAnnouncement(project, title: "ประชุมใหญ่ 15 ธ.ค.", kind: "general")
        try await phone.sync()
        var counts = try await seen.next()
        while counts.count == 1 && counts[0].unread == 0 { counts = try await seen.next() }
        XCTAssertEqual(counts, [UnitUnread(unitId: somchai, unread: 1)])

        try phone.announcements.listLeft()
        counts = try await seen.next()
        while counts.count == 1 && counts[0].unread == 1 { counts = try await seen.next() }
        XCTAssertEqual(counts, [UnitUnread(unitId: somchai, unread: 0)])
    }

    func testTheObservedListReEmitsWhenASyncBringsOneAndWhenItIsOpened() async throws {
        try await onboard(unit("12/345"))
        let seen = StreamInbox(phone.announcements.observe(unitId: somchai, in: phone))
        defer { seen.cancel() }
        let first = try await seen.next()
        XCTAssertEqual(first, [])

        let rule = try server.postAnnouncement(project, title: "กฎใหม่ของที่จอดรถ", kind: "acknowledge")
        try await phone.sync()
        var list = try await seen.next()
        while list.isEmpty { list = try await seen.next() }
        XCTAssertEqual(list.map(\.announcementId), [rule])
        XCTAssertEqual(list.map(\.unread), [true])

        try phone.announcements.open(rule)
        list = try await seen.next()
        while list.count == 1 && list[0].unread { list = try await seen.next() }
        XCTAssertEqual(list.map(\.opened), [true])
    }

    func testAnAttachmentIsWhatStaffUploadedAndShowsWithTheServerStopped() async throws {
        try await onboard(unit("12/345"))
        let notice = try server.postAnnouncement(project, title: "ประกาศพร้อมเอกสาร", kind: "general")
        let plain = try server.postAnnouncement(project, title: "ประกาศไม่มีเอกสาร", kind: "general")
        let set = try server.setAnnouncementAttachment(notice, bytes: Self.pdf)
        XCTAssertEqual(set["content_type"] as? String, "application/pdf")
        try await phone.sync()

        let all = try phone.announcements.list()
        let listed = all.filter { $0.announcementId == notice }
        XCTAssertEqual(listed.count, 1)
        let attachment = try XCTUnwrap(listed.first?.attachment, "the synced announcement has no attachment")
        XCTAssertEqual(attachment.contentType, "application/pdf")
        XCTAssertEqual(attachment.size, UInt64(Self.pdf.count))
        let plainListed = all.filter { $0.announcementId == plain }
        XCTAssertEqual(plainListed.count, 1)
        XCTAssertNil(plainListed.first?.attachment)

        let fetched = try await phone.announcements.attachment(notice, unitId: somchai)
        XCTAssertEqual(fetched, Self.pdf)
        await assertFailsWithCode(.notFound) { try await phone.announcements.attachment(plain) }
        // Cached: shown with no server.
        server.close()
        let cached = try await phone.announcements.attachment(notice)
        XCTAssertEqual(cached, Self.pdf)
    }

    func testOpeningAnUnknownAnnouncementOrOneForAnotherUnitIsNotFound() async throws {
        try await onboard(unit("12/345"))
        let theirs = try server.postAnnouncement(
            project, title: "เฉพาะห้อง B-1203", kind: "acknowledge", unitIds: [unit("B-1203").unitId])
        try await phone.sync()
        await assertFailsWithCode(.notFound) { try phone.announcements.open("no-such-announcement") }
        await assertFailsWithCode(.notFound) { try phone.announcements.open(theirs, unitId: somchai) }
        XCTAssertEqual(try unread(), 0)
        XCTAssertEqual(phone.syncStatusNow.pending, 0)
    }
}
