import Foundation
import XCTest
@testable import LobbyKit

/// Invoices and payment slips (DESIGN.md §2.6, issue 10) through the Swift wrapper, the
/// twin of the Kotlin `InvoicesTest`: `phone` is Somchai, owner of 12/345 in the demo
/// registry; staff issue invoices and confirm or reject slips through the server's admin
/// API. Slips are pictures made here (`TestPictures`: a camera-sized JPEG, a PNG
/// screenshot).
final class InvoicesTests: PhoneTestCase {
    static let total: Int64 = 268_050
    static let lines: [(String, Int64)] = [("ค่าส่วนกลาง พฤศจิกายน", 250_000), ("ค่าน้ำประปา", 18_050)]

    private var somchai: String { unit("12/345").unitId }

    /// A due date `days` from today (UTC, the day the phone and the server count overdue
    /// invoices by; negative: past due) and its month as the period — never a fixed date,
    /// which a later run would find in the past.
    private func dueIn(_ days: Int) -> (period: String, due: String) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let day = calendar.date(byAdding: .day, value: days, to: Date())!
        let format = DateFormatter()
        format.calendar = calendar
        format.timeZone = calendar.timeZone
        format.locale = Locale(identifier: "en_US_POSIX")
        format.dateFormat = "yyyy-MM-dd"
        let due = format.string(from: day)
        return (String(due.prefix(7)), due)
    }

    /// This month's bill, due in 30 days.
    private lazy var current = dueIn(30)

    /// Somchai onboarded; staff issue this month's invoice for 12/345 (due in 30 days) → its id.
    private func anInvoice() async throws -> String {
        try await onboard(unit("12/345"))
        let added = try server.addInvoice(
            somchai, period: current.period, due: current.due, lines: Self.lines, totalSatang: Self.total)
        XCTAssertEqual((added["total_satang"] as? NSNumber)?.int64Value, Self.total)
        return try XCTUnwrap(added["invoice_id"] as? String)
    }

    private func shown(_ invoiceId: String) throws -> Invoice {
        let matching = try phone.invoices.list(unitId: somchai).filter { $0.invoiceId == invoiceId }
        guard matching.count == 1 else { throw TestFailure("\(matching.count) invoices \(invoiceId)") }
        return matching[0]
    }

    func testAnIssuedInvoiceIsListedAfterSyncWithItsThaiLinesExactTotalAndUnpaidAndOverdueWithTheServerStopped()
        async throws
    {
        let id = try await anInvoice()
        // An old bill, due 60 days ago (another month): always overdue.
        let old = dueIn(-60)
        let oldId = try server.addInvoice(
            somchai, period: old.period, due: old.due, lines: [("ค่าส่วนกลาง มกราคม", 250_000)])["invoice_id"] as? String
        XCTAssertEqual(try phone.invoices.list(), [])
        try await phone.sync()
        server.close()
        let list = try phone.invoices.list(unitId: somchai)
        XCTAssertEqual(list.map(\.invoiceId), [id, try XCTUnwrap(oldId)])
        let inv = list[0]
        XCTAssertEqual(inv.unitId, somchai)
        XCTAssertEqual(inv.period, current.period)
        XCTAssertEqual(inv.due, current.due)
        XCTAssertEqual(inv.lines, Self.lines.map { InvoiceLine(description: $0.0, amountSatang: $0.1) })
        XCTAssertEqual(inv.totalSatang, Self.total)
        XCTAssertEqual(inv.status, .unpaid)
        XCTAssertFalse(inv.paymentQueued)
        XCTAssertNil(inv.receivedSatang)
        XCTAssertNil(inv.rejectReason)
        // Past its due date: overdue, computed on the phone.
        XCTAssertEqual(list[1].status, .overdue)
        XCTAssertEqual(list[1].totalSatang, 250_000)
        XCTAssertEqual(try phone.invoices.list(), list)
    }

    func testASlipIsQueuedUntilSyncThenSubmittedAndPaidOnceStaffConfirmAndPayingAgainIsAConflict() async throws {
        let id = try await anInvoice()
        try await phone.sync()
        let paid = try phone.invoices.pay(id, image: TestPictures.jpeg())
        XCTAssertEqual(paid.invoiceId, id)
        XCTAssertTrue(paid.paymentQueued)
        XCTAssertEqual(paid.status, .slipSubmitted)
        XCTAssertEqual(try shown(id), paid)
        XCTAssertEqual(phone.syncStatusNow.pending, 1)

        let report = try await phone.sync()
        XCTAssertEqual(report.pushed, 1)
        XCTAssertEqual(report.pending, 0)
        var inv = try shown(id)
        XCTAssertFalse(inv.paymentQueued)
        XCTAssertEqual(inv.status, .slipSubmitted)

        try server.confirmInvoice(id, amountSatang: Self.total)
        try await phone.sync()
        inv = try shown(id)
        XCTAssertEqual(inv.status, .paid)
        XCTAssertEqual(inv.receivedSatang, Self.total)
        XCTAssertFalse(inv.paymentQueued)
        await assertFailsWithCode(.conflict) { try phone.invoices.pay(id, image: TestPictures.jpeg()) }
        XCTAssertEqual(phone.syncStatusNow.pending, 0)
    }

    func testARejectedSlipShowsTheReasonAndAPngScreenshotPaysItAgain() async throws {
        let id = try await anInvoice()
        try await phone.sync()
        try phone.invoices.pay(id, image: TestPictures.jpeg())
        try await phone.sync()
        try server.rejectInvoice(id, reason: "ยอดเงินในสลิปไม่ตรง")
        try await phone.sync()
        var inv = try shown(id)
        XCTAssertEqual(inv.status, .rejected)
        XCTAssertEqual(inv.rejectReason, "ยอดเงินในสลิปไม่ตรง")

        inv = try phone.invoices.pay(id, image: TestPictures.png(width: 1080, height: 2340))
        XCTAssertTrue(inv.paymentQueued)
        XCTAssertEqual(inv.status, .slipSubmitted)
        try await phone.sync()
        inv = try shown(id)
        XCTAssertFalse(inv.paymentQueued)
        XCTAssertEqual(inv.status, .slipSubmitted)
    }

    func testPayingWithBytesThatAreNotAnImageIsInvalidInputAndAnUnknownInvoiceNotFound() async throws {
        let id = try await anInvoice()
        try await phone.sync()
        await assertFailsWithCode(.invalidInput) { try phone.invoices.pay(id, image: Data("not a slip, just text".utf8)) }
        await assertFailsWithCode(.invalidInput) { try phone.invoices.pay(id, image: AnnouncementsTests.pdf) }
        await assertFailsWithCode(.notFound) {
            try phone.invoices.pay("no-such-invoice", image: TestPictures.jpeg(width: 64, height: 48))
        }
        let inv = try shown(id)
        XCTAssertEqual(inv.status, .unpaid)
        XCTAssertFalse(inv.paymentQueued)
        XCTAssertEqual(phone.syncStatusNow.pending, 0)
    }

    func testTheObservedInvoicesReEmitWhenASlipIsQueuedAndWhenStaffConfirm() async throws {
        let id = try await anInvoice()
        try await phone.sync()
        let seen = StreamInbox(phone.invoices.observe(unitId: somchai, in: phone))
        defer { seen.cancel() }
        let first = try await seen.next()
        XCTAssertEqual(try single(first).status, .unpaid)

        try phone.invoices.pay(id, image: TestPictures.jpeg(width: 800, height: 600))
        var list = try await seen.next()
        while try !single(list).paymentQueued { list = try await seen.next() }
        XCTAssertEqual(try single(list).status, .slipSubmitted)

        try await phone.sync()
        try server.confirmInvoice(id, amountSatang: Self.total)
        try await phone.sync()
        list = try await seen.next()
        while try single(list).status != .paid { list = try await seen.next() }
        XCTAssertEqual(try single(list).receivedSatang, Self.total)
    }
}
