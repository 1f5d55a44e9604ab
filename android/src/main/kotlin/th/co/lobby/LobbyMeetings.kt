package th.co.lobby

import kotlinx.coroutines.channels.awaitClose
import kotlinx.coroutines.flow.Flow
import kotlinx.coroutines.flow.callbackFlow
import kotlinx.coroutines.flow.conflate
import th.co.lobby.core.Meeting
import th.co.lobby.core.MeetingDetail
import th.co.lobby.core.QueuedVote
import th.co.lobby.core.ReceiptsReport
import th.co.lobby.ffi.MeetingsClient
import th.co.lobby.ffi.MeetingsListener
import th.co.lobby.model.Choice

/**
 * Meetings and e-voting (DESIGN.md §2.7): `lobby.meetings`. Meetings, their agenda and
 * the person's votes are read from the replica, so they answer offline; a vote is queued
 * like every change and shows as `VoteState.PENDING` until a sync brings the server's
 * answer (`ACCEPTED` with its receipt, or listed in `AgendaItem.refused`). An item's
 * result arrives only once it has closed. Weights in a `Tally` are exact decimal
 * `String`s (read them with `BigDecimal`).
 */
class LobbyMeetings internal constructor(
    /** The generated API underneath. */
    val ffi: MeetingsClient,
) {
    /** The person's meetings: open and draft first, then closed. */
    suspend fun list(): List<Meeting> = io { ffi.list() }

    /**
     * One meeting with its agenda, the units the person votes for (own, or held by
     * proxy), the person's votes on each item and each closed item's result.
     * `ErrorCode.NOT_FOUND` when the meeting is not on this phone.
     */
    suspend fun show(meetingId: String): MeetingDetail = io { ffi.show(meetingId) }

    /**
     * Votes [choice] on the item for [unitId], or for every unit the person votes for at
     * its meeting when `null`. Works offline: queued (pending) and sent with the next
     * sync; a later vote replaces it until the item closes. Refused at once with
     * `ErrorCode.VOTING_CLOSED` (the phone knows the item closed), `INVALID_INPUT` (an
     * information item) or `NOT_ELIGIBLE` (not the person's unit, or in arrears at a
     * general meeting). Returns the queued votes, one per unit.
     */
    suspend fun vote(itemId: String, choice: Choice, unitId: String? = null): List<QueuedVote> =
        io { ffi.vote(itemId, choice, unitId) }

    /**
     * Downloads the meeting's published ballot log and checks this phone's receipts and
     * every published result against it. Differences are in the report
     * ([ReceiptsReport.missing], [ReceiptsReport.chainProblem],
     * [ReceiptsReport.tallyMatches]), not thrown; `ErrorCode.OFFLINE` when the log cannot
     * be downloaded.
     */
    suspend fun verifyReceipts(meetingId: String): ReceiptsReport = ffi.verifyReceipts(meetingId)

    /**
     * The person's meetings as a [Flow]: the list at once, then again whenever a meeting or
     * an agenda item changes (a meeting or an item opens or closes, a result is published)
     * — what a meetings screen collects, and the cue for a meeting notification.
     * Conflated: a slow collector sees the latest list. Collecting holds a core
     * subscription (`watch`), cancelled when collection stops.
     */
    fun observe(): Flow<List<Meeting>> = callbackFlow {
        val handle = ffi.watch(object : MeetingsListener {
            override fun onMeetings(meetings: List<Meeting>) {
                trySend(meetings)
            }
        })
        awaitClose { handle.close() }
    }.conflate()
}
