package th.co.lobby

import kotlinx.coroutines.channels.awaitClose
import kotlinx.coroutines.flow.Flow
import kotlinx.coroutines.flow.callbackFlow
import kotlinx.coroutines.flow.conflate
import kotlinx.coroutines.flow.map
import th.co.lobby.core.Announcement
import th.co.lobby.core.UnitUnread
import th.co.lobby.ffi.AnnouncementsClient
import th.co.lobby.ffi.UnreadListener

/**
 * Announcements (DESIGN.md §2.5): `lobby.announcements`. A unit's announcements and the
 * unread counts are read from the replica, so they answer offline. The reading state is
 * the phone's own: leaving a unit's list ([listLeft]) clears its general announcements,
 * an `AnnouncementKind.ACKNOWLEDGE` one clears only when opened ([open]), which also
 * tells staff through the outbox. Attachments (an image or a PDF) are fetched on demand
 * and cached ([attachment]). [unitId] `null` everywhere: the current unit.
 */
class LobbyAnnouncements internal constructor(
    /** The generated API underneath. */
    val ffi: AnnouncementsClient,
    private val tableChanges: (List<String>) -> Flow<Unit>,
) {
    /** The unit's announcements, newest first, each with whether it still counts as unread. */
    suspend fun list(unitId: String? = null): List<Announcement> = io { ffi.list(unitId) }

    /**
     * [list] as a [Flow]: the list at once, then again after every change to the
     * announcements or their reading state (a sync brought one, one was opened, the list
     * was left) — what an announcements screen collects.
     */
    fun observe(unitId: String? = null): Flow<List<Announcement>> =
        tableChanges(listOf("announcements", "announcement_opened", "announcement_lists_left"))
            .map { list(unitId) }

    /**
     * The person left the unit's list: every general announcement there is read;
     * acknowledge ones stay unread until each is opened.
     */
    suspend fun listLeft(unitId: String? = null) = io { ffi.listLeft(unitId) }

    /**
     * Opens one announcement in the unit: read (an acknowledge one acknowledged) on the
     * phone at once, offline too; staff learn of it with the next sync.
     * `ErrorCode.NOT_FOUND` for one the unit does not have.
     */
    suspend fun open(announcementId: String, unitId: String? = null): Announcement =
        io { ffi.open(announcementId, unitId) }

    /**
     * The announcement's attachment (image or PDF bytes, see [Announcement.attachment]):
     * fetched once, then served from the phone's cache, offline too.
     * `ErrorCode.NOT_FOUND` without one, `OFFLINE` when it must be downloaded and cannot be.
     */
    suspend fun attachment(announcementId: String, unitId: String? = null): ByteArray =
        ffi.attachment(announcementId, unitId)

    /** The unread count of every unit of the person (the badges). */
    suspend fun unreadCountsNow(): List<UnitUnread> = io { ffi.unreadCounts() }

    /**
     * The unread count of every unit of the person as a [Flow]: at once, then again after
     * every change to the announcements, what was opened or left, or the person's units —
     * what a badge collects. Conflated: a slow collector sees the latest counts.
     * Collecting holds a core subscription (`watch_unread`), cancelled when it stops.
     */
    fun unreadCounts(): Flow<List<UnitUnread>> = callbackFlow {
        val handle = ffi.watchUnread(object : UnreadListener {
            override fun onUnread(counts: List<UnitUnread>) {
                trySend(counts)
            }
        })
        awaitClose { handle.close() }
    }.conflate()
}
