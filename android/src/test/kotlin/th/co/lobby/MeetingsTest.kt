package th.co.lobby

import java.io.File
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.channels.Channel
import kotlinx.coroutines.launch
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withTimeout
import org.junit.After
import org.junit.Assert.assertEquals
import org.junit.Assert.assertFalse
import org.junit.Assert.assertNotEquals
import org.junit.Assert.assertNotNull
import org.junit.Assert.assertNull
import org.junit.Assert.assertTrue
import org.junit.Test
import th.co.lobby.core.AgendaItem
import th.co.lobby.core.Meeting
import th.co.lobby.core.MyVote
import th.co.lobby.core.VoteState
import th.co.lobby.model.Choice
import th.co.lobby.model.ErrorCode
import th.co.lobby.support.MemorySecretStore
import th.co.lobby.support.PhoneTestCase
import th.co.lobby.support.assertFailsWithCode

/**
 * Meetings and e-voting (DESIGN.md §2.7, issue 9) through the Kotlin wrapper: [phone] is
 * Somchai, owner of 12/345 (ratio 1.25) and 12/346 (0.75) in the demo registry; staff set
 * the meeting up, open and close it through the server's admin API. Some tests add
 * [jane]: Jane Doe, owner of B-1203 (2.5), who holds B-1204 (1.5) by proxy.
 */
class MeetingsTest : PhoneTestCase() {

    companion object {
        /** Jane Doe's number in the demo registry. */
        const val JANE_PHONE = "0891112222"
        val RECEIPT = Regex("^[0-9a-f]{64}$")
    }

    private var jane: Lobby? = null
    private lateinit var meeting: String
    /** `majority_of_attendees` */
    private lateinit var budget: String
    /** `information` */
    private lateinit var notice: String

    @After
    fun closeJanesPhone() {
        jane?.close()
    }

    /** Somchai onboards 12/345 and claims 12/346; staff create a draft meeting with two items. */
    private suspend fun somchaiAndADraftMeeting() {
        onboard(unit("12/345"))
        phone.auth.claimOnboarding(unit("12/346").payload)
        meeting = server.createMeeting(project, "ประชุมใหญ่สามัญประจำปี 2569", "annual")
        budget = server.addAgendaItem(meeting, "อนุมัติงบประมาณปี 2570", "majority_of_attendees")
        notice = server.addAgendaItem(meeting, "แจ้งเพื่อทราบ", "information")
    }

    /**
     * The meeting and the budget item open, and Somchai's phone synced; [beforeOpening]
     * runs on the draft (proxies count only when registered before the meeting opens).
     */
    private suspend fun budgetOpen(beforeOpening: suspend () -> Unit = {}) {
        somchaiAndADraftMeeting()
        beforeOpening()
        server.openMeeting(meeting)
        server.openItem(budget)
        phone.sync()
    }

    /** Jane's phone, onboarded with B-1203. */
    private suspend fun janesPhone(): Lobby {
        val j = Lobby.open(File(dir, "jane-phone"), server.url, MemorySecretStore())
        jane = j
        j.auth.startOnboarding(unit("B-1203").payload, JANE_PHONE, PASSWORD)
        j.auth.verifyOnboarding(server.peekOtp(JANE_PHONE))
        return j
    }

    private suspend fun item(lobby: Lobby, itemId: String): AgendaItem =
        lobby.meetings.show(meeting).items.single { it.itemId == itemId }

    private fun List<MyVote>.of(unitNumber: String): MyVote = single { it.unitId == unit(unitNumber).unitId }

    @Test
    fun a_meeting_is_listed_after_sync_as_a_draft_and_as_open_once_staff_open_it() = runBlocking {
        somchaiAndADraftMeeting()
        assertEquals(emptyList<Meeting>(), phone.meetings.list())
        phone.sync()
        val draft = phone.meetings.list().single()
        assertEquals(meeting, draft.meetingId)
        assertEquals(project, draft.projectId)
        assertEquals("ประชุมใหญ่สามัญประจำปี 2569", draft.title)
        assertEquals("annual", draft.kind)
        assertEquals("draft", draft.status)
        assertEquals(2u, draft.items)
        assertEquals(0u, draft.itemsOpen)
        val agenda = phone.meetings.show(meeting).items
        assertEquals(listOf(budget, notice), agenda.map { it.itemId })
        assertEquals(listOf("majority_of_attendees", "information"), agenda.map { it.resolution })
        assertEquals(listOf("pending", "pending"), agenda.map { it.status })

        server.openMeeting(meeting)
        phone.sync()
        val open = phone.meetings.show(meeting)
        assertEquals("open", open.meeting.status)
        assertEquals("open", phone.meetings.list().single().status)
        assertEquals(listOf("12/345", "12/346"), open.votingUnits.map { it.unitNumber })
        assertTrue(open.votingUnits.none { it.byProxy })
        assertFailsWithCode(ErrorCode.NOT_FOUND) { phone.meetings.show("no-such-meeting") }
    }

    @Test
    fun a_vote_for_all_units_is_pending_until_sync_then_accepted_with_a_receipt_and_a_changed_vote_shows() = runBlocking {
        budgetOpen()
        val queued = phone.meetings.vote(budget, Choice.APPROVE)
        assertEquals(setOf(unit("12/345").unitId, unit("12/346").unitId), queued.map { it.unitId }.toSet())
        var votes = item(phone, budget).myVotes
        assertEquals(2, votes.size)
        assertTrue(votes.all { it.state == VoteState.PENDING && it.choice == Choice.APPROVE && it.receipt == null })

        phone.sync()
        votes = item(phone, budget).myVotes
        assertEquals(2, votes.size)
        assertTrue(votes.all { it.state == VoteState.ACCEPTED && it.choice == Choice.APPROVE })
        assertTrue(votes.all { RECEIPT.matches(it.receipt ?: "") })
        val firstReceipt = votes.of("12/346").receipt

        // A change for one unit: pending over the accepted vote until the next sync.
        val changed = phone.meetings.vote(budget, Choice.DISAPPROVE, unit("12/346").unitId)
        assertEquals(listOf(unit("12/346").unitId), changed.map { it.unitId })
        votes = item(phone, budget).myVotes
        assertEquals(Choice.DISAPPROVE to VoteState.PENDING, votes.of("12/346").let { it.choice to it.state })
        assertEquals(Choice.APPROVE to VoteState.ACCEPTED, votes.of("12/345").let { it.choice to it.state })

        phone.sync()
        votes = item(phone, budget).myVotes
        assertEquals(2, votes.size)
        assertEquals(Choice.DISAPPROVE to VoteState.ACCEPTED, votes.of("12/346").let { it.choice to it.state })
        assertTrue(RECEIPT.matches(votes.of("12/346").receipt ?: ""))
        assertNotEquals(firstReceipt, votes.of("12/346").receipt)
        assertEquals(Choice.APPROVE to VoteState.ACCEPTED, votes.of("12/345").let { it.choice to it.state })
    }

    @Test
    fun no_result_while_the_item_is_open_and_the_exact_tally_after_it_closes() = runBlocking {
        budgetOpen {
            janesPhone()
            server.addProxy(meeting, unit("B-1204").unitId, JANE_PHONE)
        }
        val jane = checkNotNull(this@MeetingsTest.jane)
        jane.sync()
        val janesUnits = jane.meetings.show(meeting).votingUnits
        assertEquals(listOf("B-1203" to false, "B-1204" to true), janesUnits.map { it.unitNumber to it.byProxy })

        phone.meetings.vote(budget, Choice.APPROVE, unit("12/345").unitId)
        phone.meetings.vote(budget, Choice.DISAPPROVE, unit("12/346").unitId)
        jane.meetings.vote(budget, Choice.APPROVE, unit("B-1203").unitId)
        jane.meetings.vote(budget, Choice.ABSTAIN, unit("B-1204").unitId)
        phone.sync()
        jane.sync()
        phone.sync()
        assertNull("no result while the item is open", item(phone, budget).result)
        assertEquals("open", item(phone, budget).status)
        assertNull(item(jane, budget).result)

        val closed = server.closeItem(budget)
        phone.sync()
        val shown = item(phone, budget)
        assertEquals("closed", shown.status)
        val result = checkNotNull(shown.result) { "a result after close" }
        // By hand: all votes 1.25 + 0.75 + 2.5 + 1.5 = 6, every unit voted;
        // approve 1.25 + 2.5 = 3.75, disapprove 0.75, abstain 1.5 (B-1204 by proxy);
        // quorum 6 ≥ 6/4; passed: 3.75 > half of the 6 attending.
        assertEquals("3.75", result.tally.approve)
        assertEquals("0.75", result.tally.disapprove)
        assertEquals("1.5", result.tally.abstain)
        assertEquals("0", result.tally.didNotVote)
        assertEquals("6", result.tally.attending)
        assertEquals("6", result.tally.allVotes)
        assertTrue(result.tally.quorum)
        assertTrue(result.passed)
        assertEquals(closed["chain_head"], result.chainHead)
        assertEquals(0u, phone.meetings.list().single().itemsOpen)
    }

    @Test
    fun receipts_verify_after_close_with_one_verified_receipt_per_vote_cast_and_matching_tallies() = runBlocking {
        budgetOpen()
        phone.meetings.vote(budget, Choice.APPROVE)
        phone.sync()
        phone.meetings.vote(budget, Choice.ABSTAIN, unit("12/345").unitId)
        phone.sync()
        // Three votes cast (two, then a change); while the item is open none is published.
        val early = phone.meetings.verifyReceipts(meeting)
        assertEquals(3, early.unpublished.size)
        assertEquals(emptyList<String>(), early.verified)
        assertFalse(early.complete)

        server.closeItem(budget)
        phone.sync()
        val report = phone.meetings.verifyReceipts(meeting)
        assertEquals(meeting, report.meetingId)
        assertNull(report.chainProblem)
        assertEquals(3, report.verified.size)
        assertTrue(report.verified.all { RECEIPT.matches(it) })
        assertEquals(emptyList<String>(), report.missing)
        assertEquals(emptyList<String>(), report.unpublished)
        assertTrue(report.tallyMatches)
        val checked = report.items.single()
        assertEquals(budget, checked.itemId)
        assertTrue(checked.checked && checked.matches)
        assertEquals(item(phone, budget).result?.tally, checked.recomputed)
        assertEquals(checked.published, checked.recomputed)
        // The accepted receipts the phone shows are among the verified ones.
        val shown = item(phone, budget).myVotes.mapNotNull { it.receipt }
        assertEquals(2, shown.size)
        assertTrue(report.verified.containsAll(shown))
    }

    @Test
    fun a_vote_on_an_information_item_is_invalid_input_on_someone_elses_unit_not_eligible_and_after_close_voting_closed() = runBlocking {
        budgetOpen()
        assertFailsWithCode(ErrorCode.INVALID_INPUT) { phone.meetings.vote(notice, Choice.APPROVE) }
        assertFailsWithCode(ErrorCode.NOT_ELIGIBLE) {
            phone.meetings.vote(budget, Choice.APPROVE, unit("B-1203").unitId)
        }
        assertFailsWithCode(ErrorCode.NOT_FOUND) { phone.meetings.vote("no-such-item", Choice.APPROVE) }
        assertEquals(emptyList<MyVote>(), item(phone, budget).myVotes)

        server.closeItem(budget)
        phone.sync()
        assertFailsWithCode(ErrorCode.VOTING_CLOSED) { phone.meetings.vote(budget, Choice.APPROVE) }
        assertEquals(emptyList<MyVote>(), item(phone, budget).myVotes)
    }

    @Test
    fun a_vote_queued_before_the_item_closed_on_the_server_is_listed_as_refused_voting_closed() = runBlocking {
        budgetOpen()
        phone.meetings.vote(budget, Choice.APPROVE, unit("12/345").unitId)
        assertEquals(VoteState.PENDING, item(phone, budget).myVotes.single().state)
        // The chair closes the item before the phone syncs.
        server.closeItem(budget)
        val report = phone.sync()
        assertEquals(1uL, report.rejected)
        val shown = item(phone, budget)
        assertEquals(emptyList<MyVote>(), shown.myVotes)
        val refused = shown.refused.single()
        assertEquals(ErrorCode.VOTING_CLOSED, refused.code)
        assertEquals(unit("12/345").unitId, refused.unitId)
        assertEquals(Choice.APPROVE, refused.choice)
        assertNotNull(shown.result)
    }

    @Test
    fun the_observed_meetings_re_emit_when_an_item_opens() = runBlocking {
        somchaiAndADraftMeeting()
        server.openMeeting(meeting)
        phone.sync()
        val seen = Channel<List<Meeting>>(Channel.UNLIMITED)
        val collecting = launch(Dispatchers.Default) {
            phone.meetings.observe().collect { seen.send(it) }
        }
        suspend fun next(): List<Meeting> = withTimeout(10_000) { seen.receive() }
        val first = next().single()
        assertEquals("open" to 0u, first.status to first.itemsOpen)

        server.openItem(budget)
        phone.sync()
        var list = next()
        while (list.single().itemsOpen == 0u) list = next()
        assertEquals(meeting, list.single().meetingId)
        assertEquals(1u, list.single().itemsOpen)

        server.closeItem(budget)
        phone.sync()
        list = next()
        while (list.single().itemsOpen == 1u) list = next()
        assertEquals(0u, list.single().itemsOpen)
        assertNotNull(item(phone, budget).result)
        collecting.cancel()
    }
}
