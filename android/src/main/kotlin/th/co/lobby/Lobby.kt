package th.co.lobby

import java.io.File
import java.util.concurrent.atomic.AtomicBoolean
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.channels.awaitClose
import kotlinx.coroutines.flow.Flow
import kotlinx.coroutines.flow.callbackFlow
import kotlinx.coroutines.flow.conflate
import kotlinx.coroutines.flow.map
import kotlinx.coroutines.withContext
import th.co.lobby.core.Parcel
import th.co.lobby.core.SyncReport
import th.co.lobby.core.SyncStatus
import th.co.lobby.ffi.LobbyClient
import th.co.lobby.ffi.OutboxEntryInfo
import th.co.lobby.ffi.SecretStore
import th.co.lobby.ffi.ParcelArrivalsListener
import th.co.lobby.ffi.SyncStateListener
import th.co.lobby.ffi.TableChangeListener

/**
 * The app's handle on the Lobby core: one per device, opened at start-up and kept for the
 * app's life (close it to stop the core's background work).
 *
 * As the core, it hands out one object per area — [auth] (onboarding, sign-in),
 * [units] (the unit drop-down), [profile], [invites] (invitation codes, members), [parcels],
 * [meetings] (agenda, votes, receipts), [announcements] (unread badges) and [invoices]
 * (paying with a slip) —
 * and keeps what is not an area: sync and the device. Every method delegates to the
 * generated [LobbyClient] or its sub-clients; the wrapper adds only Android glue: network
 * calls are `suspend` (they run on the core's own threads), local reads of the replica
 * are moved off the main thread, and the sync state is a [Flow].
 *
 * Failures throw [th.co.lobby.ffi.LobbyException]; act on its [code] (stable, see
 * [th.co.lobby.model.ErrorCode]) and map it to Thai and English text.
 *
 * At start-up call [startBackgroundSync], or queued changes wait for the next [sync].
 * Pass the app's `Context` to [open] (or call [LobbyTls.init] before): Android's certificate
 * verifier needs it for `https://` servers.
 */
class Lobby private constructor(
    /** The generated API underneath, for anything this wrapper does not cover. */
    val ffi: LobbyClient,
) : AutoCloseable {

    companion object {
        /**
         * Opens the device's data in [dataDir] (created if missing), with its secrets in
         * [secrets] (e.g. [AndroidKeystoreSecretStore]). [serverUrl] `null` keeps the
         * server remembered from earlier use. [deviceLabel] names this phone in the
         * person's list of signed-in devices, e.g. `"${Build.MODEL} · Android ${Build.VERSION.RELEASE}"`;
         * `null`, or one the name rule refuses, shows as an unknown device.
         *
         * [context] is the app's `android.content.Context` (typed `Any` so that the JVM tests
         * compile without Android): given, it is handed to [LobbyTls.init] first, which
         * Android's certificate verifier needs before any `https://` connection. Pass it, or
         * call [LobbyTls.init] earlier; otherwise an `https://` server is refused with
         * `TLS_UNAVAILABLE`.
         */
        suspend fun open(
            dataDir: File,
            serverUrl: String?,
            secrets: SecretStore,
            deviceLabel: String? = null,
            context: Any? = null,
        ): Lobby = withContext(Dispatchers.IO) {
            if (context != null) LobbyTls.init(context)
            Lobby(LobbyClient(dataDir.path, serverUrl, secrets, deviceLabel))
        }
    }

    /** Onboarding by QR and signing in and out (DESIGN.md §2.1–2.2). */
    val auth = LobbyAuth(ffi.auth())

    /** The person's units across projects and the current unit. */
    val units = LobbyUnits(ffi.units())

    /** The person's own profile. */
    val profile = LobbyProfile(ffi.profile())

    /** Invitation codes and a unit's members (DESIGN.md §2.3). */
    val invites = LobbyInvites(ffi.invites())

    /** Parcels logged for the person's units (DESIGN.md §2.4). */
    val parcels = LobbyParcels(ffi.parcels()) { tables -> tableChanges(tables) }

    /** Meetings, their agenda, votes and receipts (DESIGN.md §2.7). */
    val meetings = LobbyMeetings(ffi.meetings())

    /** Announcements, their unread counts and attachments (DESIGN.md §2.5). */
    val announcements = LobbyAnnouncements(ffi.announcements()) { tables -> tableChanges(tables) }

    /** Invoices and payment slips (DESIGN.md §2.6). */
    val invoices = LobbyInvoices(ffi.invoices()) { tables -> tableChanges(tables) }

    /** Consents to the terms, privacy policy and marketing (DESIGN.md §2.8). */
    val consents = LobbyConsents(ffi.consents()) { tables -> tableChanges(tables) }

    /** Privacy requests: erasure, correction, objection (DESIGN.md §2.8). */
    val privacy = LobbyPrivacy(ffi.privacy()) { tables -> tableChanges(tables) }

    // Sync (DESIGN.md §4).

    /** Pushes queued changes, then pulls. Offline is a state of the report, not an error. */
    suspend fun sync(): SyncReport = ffi.sync()

    fun startBackgroundSync() = ffi.startBackgroundSync()

    val syncStatusNow: SyncStatus get() = ffi.status()

    /**
     * The sync status: the current one at once, then every change. Conflated — a slow
     * collector sees the latest status, not every intermediate one. Collecting holds a
     * core subscription, cancelled when collection stops.
     */
    val syncStatus: Flow<SyncStatus> = callbackFlow {
        val handle = ffi.subscribeSyncState(object : SyncStateListener {
            override fun onUpdate(status: SyncStatus) {
                trySend(status)
            }
        })
        awaitClose { handle.close() }
    }.conflate()

    /**
     * New parcel arrivals, for notifications: at once the waiting parcels not announced
     * yet (if any), then whenever a sync brings some. Post one notification per parcel
     * (tagged with its id), then [LobbyParcels.markAnnounced]; what is not marked comes
     * again, so a parcel is announced exactly once even if the app dies meanwhile.
     * Collecting holds a core subscription (`watch_arrivals`), cancelled when it stops.
     */
    val parcelArrivals: Flow<List<Parcel>> = callbackFlow {
        val handle = parcels.ffi.watchArrivals(object : ParcelArrivalsListener {
            override fun onArrivals(parcels: List<Parcel>) {
                trySend(parcels)
            }
        })
        awaitClose { handle.close() }
    }

    /**
     * Re-runs [query] at once and after every committed change to one of [tables] (any
     * table when none is named), and emits its result: the building block of every list
     * a screen shows (see [LobbyParcels.observe]). Conflated: a burst of changes runs the
     * query once more, not once per change.
     */
    fun <T> observe(vararg tables: String, query: suspend () -> T): Flow<T> =
        tableChanges(tables.toList()).map { query() }

    internal fun tableChanges(tables: List<String>): Flow<Unit> = callbackFlow {
        val handle = ffi.watchTables(tables, object : TableChangeListener {
            override fun onChange() {
                trySend(Unit)
            }
        })
        awaitClose { handle.close() }
    }.conflate()

    suspend fun outbox(): List<OutboxEntryInfo> = io { ffi.outbox() }

    // Device.

    suspend fun serverUrl(): String? = io { ffi.serverUrl() }

    suspend fun setServerUrl(url: String) = io { ffi.setServerUrl(url) }

    /** Erases this account's data from the phone (replica, outbox, settings, tokens). */
    suspend fun wipe() = io { ffi.wipe() }

    /**
     * "Erase this phone": ends this phone's sign-in on the server when it can be reached
     * (the device then no longer shows among the person's sessions), then [wipe] — offline
     * too. Whether the server was told.
     */
    suspend fun signOutAndWipe(): Boolean = ffi.signOutAndWipe()

    private val closed = AtomicBoolean(false)

    /** Whether the core has been shut down ([close], or `ffi.shutdown()`). */
    val isShutDown: Boolean get() = closed.get() || ffi.isShutDown()

    /**
     * Shuts the core down (background sync stops, the core's threads end, the database is
     * closed), then frees the native objects (the sub-clients', then the client's). Call
     * it when the app's process is ending; it blocks for as long as in-flight work takes
     * to stop (at most 10 s), so not on the main thread. Calling it twice is harmless.
     */
    override fun close() {
        if (!closed.compareAndSet(false, true)) return
        ffi.shutdown()
        auth.ffi.close()
        units.ffi.close()
        profile.ffi.close()
        invites.ffi.close()
        parcels.ffi.close()
        meetings.ffi.close()
        announcements.ffi.close()
        invoices.ffi.close()
        consents.ffi.close()
        privacy.ffi.close()
        ffi.close()
    }
}

/** Runs a local read or write of the replica off the main thread. */
internal suspend fun <T> io(read: () -> T): T = withContext(Dispatchers.IO) { read() }
