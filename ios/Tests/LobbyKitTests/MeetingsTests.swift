import Foundation
import XCTest
@testable import LobbyKit

/// Meetings and e-voting (DESIGN.md §2.7, issue 9) through the Swift wrapper, the twin of
/// the Kotlin `MeetingsTest`: `phone` is Somchai, owner of 12/345 (ratio 1.25) and 12/346
/// (0.75) in the demo registry; staff set the meeting up, open and close it through the
/// server's admin API. Some tests add `jane`: Jane Doe, owner of B-1203 (2.5), who holds
/// B-1204 (1.5) by proxy.
final class MeetingsTests: PhoneTestCase {
    /// Jane Doe's number in the demo registry.
    static let janePhone = "0891112222"

    private var jane: Lobby?
    private var meeting = ""
    /// `majority_of_attendees`
    private var budget = ""
    /// `information`
    private var notice = ""

    override func tearDownWithError() throws {
        jane?.shutdown()
        jane = nil
        try super.tearDownWithError()
    }

    /// A vote receipt: 64 lowercase hex digits.
    private func isReceipt(_ text: String?) -> Bool {
        guard let text else { return false }
        return text.range(of: "^[0-9a-f]{64}$", options: .regularExpression) != nil
    }

    /// Somchai onboards 12/345 and claims 12/346; staff create a draft meeting with two items.
    private func somchaiAndADraftMeeting() async throws {
        try await onboard(unit("12/345"))
        _ = try await phone.auth.claimOnboarding(unit("12/346").payload)
        meeting = try server.createMeeting(project, title: "ประชุมใหญ่สามัญประจำปี 2569", kind: "annual")
        budget = try server.addAgendaItem(meeting, title: "อนุมัติงบประมาณปี 2570", resolution: "majority_of_attendees")
        notice = try server.addAgendaItem(meeting, title: "แจ้งเพื่อทราบ", resolution: "information")
    }

    /// The meeting and the budget item open, and Somchai's phone synced; `beforeOpening`
    /// runs on the draft (proxies count only when registered before the meeting opens).
    private func budgetOpen(beforeOpening: () async throws -> Void = {}) async throws {
        try await somchaiAndADraftMeeting()
        try await beforeOpening()
        try server.openMeeting(meeting)
        try server.openItem(budget)
        try await phone.sync()
    }

    /// Jane's phone, onboarded with B-1203.
    @discardableResult
    private func janesPhone() async throws -> Lobby {
        let j = try secondPhone("jane-phone")
        jane = j
        _ = try await j.auth.startOnboarding(unit("B-1203").payload, phone: Self.janePhone, password: Self.password)
        _ = try await j.auth.verifyOnboarding(code: try server.peekOtp(Self.janePhone))
        return j
    }

    private func item(_ lobby: Lobby, _ itemId: String) throws -> AgendaItem {
        let matching = try lobby.meetings.show(meeting).items.filter { $0.itemId == itemId }
        guard matching.count == 1 else { throw TestFailure("\(matching.count) agenda items \(itemId)") }
        return matching[0]
    }

    private func vote(_ votes: [MyVote], of unitNumber: String) throws -> MyVote {
        let matching = votes.filter { $0.unitId == unit(unitNumber).unitId }
        guard matching.count == 1 else { throw TestFailure("\(matching.count) votes for \(unitNumber)") }
        return matching[0]
    }

    func testAMeetingIsListedAfterSyncAsADraftAndAsOpenOnceStaffOpenIt() async throws {
        try await somchaiAndADraftMeeting()
        XCTAssertEqual(try phone.meetings.list(), [])
        try await phone.sync()
        let draft = try single(try phone.meetings.list())
        XCTAssertEqual(draft.meetingId, meeting)
        XCTAssertEqual(draft.projectId, project)
        XCTAssertEqual(draft.title, "ประชุมใหญ่สามัญประจำปี 2569")
        XCTAssertEqual(draft.kind, "annual")
        XCTAssertEqual(draft.status, "draft")
        XCTAssertEqual(draft.items, 2)
        XCTAssertEqual(draft.itemsOpen, 0)
        let agenda = try phone.meetings.show(meeting).items
        XCTAssertEqual(agenda.map(\.itemId), [budget, notice])
        XCTAssertEqual(agenda.map(\.resolution), ["majority_of_attendees", "information"])
        XCTAssertEqual(agenda.map(\.status), ["pending", "pending"])

        try server.openMeeting(meeting)
        try await phone.sync()
        let open = try phone.meetings.show(meeting)
        XCTAssertEqual(open.meeting.status, "open")
        XCTAssertEqual(try single(try phone.meetings.list()).status, "open")
        XCTAssertEqual(open.votingUnits.map(\.unitNumber), ["12/345", "12/346"])
        XCTAssertTrue(open.votingUnits.allSatisfy { !$0.byProxy })
        await assertFailsWithCode(.notFound) { try phone.meetings.show("no-such-meeting") }
    }

    func testAVoteForAllUnitsIsPendingUntilSyncThenAcceptedWithAReceiptAndAChangedVoteShows() async throws {
        try await budgetOpen()
        let queued = try phone.meetings.vote(budget, choice: .approve)
        XCTAssertEqual(Set(queued.map(\.unitId)), [unit("12/345").unitId, unit("12/346").unitId])
        var votes = try item(phone, budget).myVotes
        XCTAssertEqual(votes.count, 2)
        XCTAssertTrue(votes.allSatisfy { $0.state == .pending && $0.choice == .approve && $0.receipt == nil })

        try await phone.sync()
        votes = try item(phone, budget).myVotes
        XCTAssertEqual(votes.count, 2)
        XCTAssertTrue(votes.allSatisfy { $0.state == .accepted && $0.choice == .approve })
        XCTAssertTrue(votes.allSatisfy { isReceipt($0.receipt) })
        let firstReceipt = try vote(votes, of: "12/346").receipt

        // A change for one unit: pending over the accepted vote until the next sync.
        let changed = try phone.meetings.vote(budget, choice: .disapprove, unitId: unit("12/346").unitId)
        XCTAssertEqual(changed.map(\.unitId), [unit("12/346").unitId])
        votes = try item(phone, budget).myVotes
        XCTAssertEqual(try vote(votes, of: "12/346").choice, .disapprove)
        XCTAssertEqual(try vote(votes, of: "12/346").state, .pending)
        XCTAssertEqual(try vote(votes, of: "12/345").choice, .approve)
        XCTAssertEqual(try vote(votes, of: "12/345").state, .accepted)

        try await phone.sync()
        votes = try item(phone, budget).myVotes
        XCTAssertEqual(votes.count, 2)
        XCTAssertEqual(try vote(votes, of: "12/346").choice, .disapprove)
        XCTAssertEqual(try vote(votes, of: "12/346").state, .accepted)
        XCTAssertTrue(isReceipt(try vote(votes, of: "12/346").receipt))
        XCTAssertNotEqual(try vote(votes, of: "12/346").receipt, firstReceipt)
        XCTAssertEqual(try vote(votes, of: "12/345").choice, .approve)
        XCTAssertEqual(try vote(votes, of: "12/345").state, .accepted)
    }

    func testNoResultWhileTheItemIsOpenAndTheExactTallyAfterItCloses() async throws {
        try await budgetOpen {
            try await janesPhone()
            try server.addProxy(meeting, unitId: unit("B-1204").unitId, holder: Self.janePhone)
        }
        let jane = try XCTUnwrap(self.jane)
        try await jane.sync()
        let janesUnits = try jane.meetings.show(meeting).votingUnits
        XCTAssertEqual(janesUnits.map(\.unitNumber), ["B-1203", "B-1204"])
        XCTAssertEqual(janesUnits.map(\.byProxy), [false, true])

        try phone.meetings.vote(budget, choice: .approve, unitId: unit("12/345").unitId)
        try phone.meetings.vote(budget, choice: .disapprove, unitId: unit("12/346").unitId)
        try jane.meetings.vote(budget, choice: .approve, unitId: unit("B-1203").unitId)
        try jane.meetings.vote(budget, choice: .abstain, unitId: unit("B-1204").unitId)
        try await phone.sync()
        try await jane.sync()
        try await phone.sync()
        XCTAssertNil(try item(phone, budget).result, "no result while the item is open")
        XCTAssertEqual(try item(phone, budget).status, "open")
        XCTAssertNil(try item(jane, budget).result)

        let closed = try server.closeItem(budget)
        try await phone.sync()
        let shown = try item(phone, budget)
        XCTAssertEqual(shown.status, "closed")
        let result = try XCTUnwrap(shown.result, "a result after close")
        // By hand: all votes 1.25 + 0.75 + 2.5 + 1.5 = 6, every unit voted;
        // approve 1.25 + 2.5 = 3.75, disapprove 0.75, abstain 1.5 (B-1204 by proxy);
        // quorum 6 ≥ 6/4; passed: 3.75 > half of the 6 attending.
        XCTAssertEqual(result.tally.approve, "3.75")
        XCTAssertEqual(result.tally.disapprove, "0.75")
        XCTAssertEqual(result.tally.abstain, "1.5")
        XCTAssertEqual(result.tally.didNotVote, "0")
        XCTAssertEqual(result.tally.attending, "6")
        XCTAssertEqual(result.tally.allVotes, "6")
        XCTAssertTrue(result.tally.quorum)
        XCTAssertTrue(result.passed)
        XCTAssertEqual(result.chainHead, closed["chain_head"] as? String)
        XCTAssertEqual(try single(try phone.meetings.list()).itemsOpen, 0)
    }

    func testReceiptsVerifyAfterCloseWithOneVerifiedReceiptPerVoteCastAndMatchingTallies() async throws {
        try await budgetOpen()
        try phone.meetings.vote(budget, choice: .approve)
        try await phone.sync()
        try phone.meetings.vote(budget, choice: .abstain, unitId: unit("12/345").unitId)
        try await phone.sync()
        // Three votes cast (two, then a change); while the item is open none is published.
        let early = try await phone.meetings.verifyReceipts(meeting)
        XCTAssertEqual(early.unpublished.count, 3)
        XCTAssertEqual(early.verified, [])
        XCTAssertFalse(early.complete)

        try server.closeItem(budget)
        try await phone.sync()
        let report = try await phone.meetings.verifyReceipts(meeting)
        XCTAssertEqual(report.meetingId, meeting)
        XCTAssertNil(report.chainProblem)
        XCTAssertEqual(report.verified.count, 3)
        XCTAssertTrue(report.verified.allSatisfy { isReceipt($0) })
        XCTAssertEqual(report.missing, [])
        XCTAssertEqual(report.unpublished, [])
        XCTAssertTrue(report.tallyMatches)
        let checked = try single(report.items)
        XCTAssertEqual(checked.itemId, budget)
        XCTAssertTrue(checked.checked && checked.matches)
        XCTAssertEqual(checked.recomputed, try item(phone, budget).result?.tally)
        XCTAssertEqual(checked.recomputed, checked.published)
        // The accepted receipts the phone shows are among the verified ones.
        let shown = try item(phone, budget).myVotes.compactMap(\.receipt)
        XCTAssertEqual(shown.count, 2)
        XCTAssertTrue(Set(report.verified).isSuperset(of: shown))
    }

    func testAVoteOnAnInformationItemIsInvalidInputOnSomeoneElsesUnitNotEligibleAndAfterCloseVotingClosed()
        async throws
    {
        try await budgetOpen()
        await assertFailsWithCode(.invalidInput) { try phone.meetings.vote(notice, choice: .approve) }
        await assertFailsWithCode(.notEligible) {
            try phone.meetings.vote(budget, choice: .approve, unitId: unit("B-1203").unitId)
        }
        await assertFailsWithCode(.notFound) { try phone.meetings.vote("no-such-item", choice: .approve) }
        XCTAssertEqual(try item(phone, budget).myVotes, [])

        try server.closeItem(budget)
        try await phone.sync()
        await assertFailsWithCode(.votingClosed) { try phone.meetings.vote(budget, choice: .approve) }
        XCTAssertEqual(try item(phone, budget).myVotes, [])
    }

    func testAVoteQueuedBeforeTheItemClosedOnTheServerIsListedAsRefusedVotingClosed() async throws {
        try await budgetOpen()
        try phone.meetings.vote(budget, choice: .approve, unitId: unit("12/345").unitId)
        XCTAssertEqual(try single(try item(phone, budget).myVotes).state, .pending)
        // The chair closes the item before the phone syncs.
        try server.closeItem(budget)
        let report = try await phone.sync()
        XCTAssertEqual(report.rejected, 1)
        let shown = try item(phone, budget)
        XCTAssertEqual(shown.myVotes, [])
        let refused = try single(shown.refused)
        XCTAssertEqual(refused.code, .votingClosed)
        XCTAssertEqual(refused.unitId, unit("12/345").unitId)
        XCTAssertEqual(refused.choice, .approve)
        XCTAssertNotNil(shown.result)
    }

    func testTheObservedMeetingsReEmitWhenAnItemOpens() async throws {
        try await somchaiAndADraftMeeting()
        try server.openMeeting(meeting)
        try await phone.sync()
        let seen = StreamInbox(phone.meetings.observe())
        defer { seen.cancel() }
        let first = try single(try await seen.next())
        XCTAssertEqual(first.status, "open")
        XCTAssertEqual(first.itemsOpen, 0)

        try server.openItem(budget)
        try await phone.sync()
        var list = try await seen.next()
        while try single(list).itemsOpen == 0 { list = try await seen.next() }
        XCTAssertEqual(try single(list).meetingId, meeting)
        XCTAssertEqual(try single(list).itemsOpen, 1)

        try server.closeItem(budget)
        try await phone.sync()
        list = try await seen.next()
        while try single(list).itemsOpen == 1 { list = try await seen.next() }
        XCTAssertEqual(try single(list).itemsOpen, 0)
        XCTAssertNotNil(try item(phone, budget).result)
    }
}
