package th.co.lobby

import java.io.File
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.channels.awaitClose
import kotlinx.coroutines.flow.Flow
import kotlinx.coroutines.flow.callbackFlow
import kotlinx.coroutines.flow.conflate
import kotlinx.coroutines.withContext
import th.co.lobby.model.Role
import th.co.lobby.ffi.InviteInfo
import th.co.lobby.ffi.LobbyClient
import th.co.lobby.ffi.MemberInfo
import th.co.lobby.ffi.OnboardingInfo
import th.co.lobby.ffi.OtpChallengeInfo
import th.co.lobby.ffi.OutboxEntryInfo
import th.co.lobby.ffi.ProfileInfo
import th.co.lobby.ffi.SecretStore
import th.co.lobby.ffi.SignedInInfo
import th.co.lobby.ffi.SyncReportInfo
import th.co.lobby.ffi.SyncStateListener
import th.co.lobby.ffi.SyncStatusInfo
import th.co.lobby.ffi.UnitInfo

/**
 * The app's handle on the Lobby core: one per device, opened at start-up and kept for the
 * app's life (close it to stop the core's background work).
 *
 * Every method delegates to the generated [LobbyClient]; the wrapper adds only Android
 * glue: network calls are `suspend` (they run on the core's own threads), local reads of
 * the replica are moved off the main thread, and the sync state is a [Flow].
 *
 * Failures throw [th.co.lobby.ffi.LobbyException]; act on its [code] (stable, see
 * [th.co.lobby.model.ErrorCode]) and map it to Thai and English text.
 *
 * At start-up call [startBackgroundSync], or queued changes wait for the next [sync].
 */
class Lobby private constructor(
    /** The generated API underneath, for anything this wrapper does not cover. */
    val ffi: LobbyClient,
) : AutoCloseable {

    companion object {
        /**
         * Opens the device's data in [dataDir] (created if missing), with its secrets in
         * [secrets] (e.g. [AndroidKeystoreSecretStore]). [serverUrl] `null` keeps the
         * server remembered from earlier use.
         */
        suspend fun open(dataDir: File, serverUrl: String?, secrets: SecretStore): Lobby =
            withContext(Dispatchers.IO) { Lobby(LobbyClient(dataDir.path, serverUrl, secrets)) }
    }

    // Onboarding by QR (DESIGN.md §2.1).

    suspend fun scanOnboarding(payload: String): OnboardingInfo = ffi.scanOnboarding(payload)

    suspend fun scanOnboardingImage(image: ByteArray): OnboardingInfo = ffi.scanOnboardingImage(image)

    suspend fun startOnboarding(
        payload: String,
        phone: String,
        password: String,
        email: String? = null,
        name: String? = null,
    ): OtpChallengeInfo = ffi.startOnboarding(payload, phone, password, email, name)

    suspend fun verifyOnboarding(code: String): SignedInInfo = ffi.verifyOnboarding(code)

    /** Adds another unit's QR to the signed-in account. */
    suspend fun claimOnboarding(payload: String): SignedInInfo = ffi.claimOnboarding(payload)

    // Signing in and out (DESIGN.md §2.2).

    suspend fun loginOtp(to: String): OtpChallengeInfo = ffi.loginOtp(to)

    suspend fun verifyLogin(code: String): SignedInInfo = ffi.verifyLogin(code)

    suspend fun loginPassword(to: String, password: String): SignedInInfo = ffi.loginPassword(to, password)

    /** Returns whether the server confirmed; the phone's tokens are gone either way. */
    suspend fun logout(everywhere: Boolean = false): Boolean = ffi.logout(everywhere)

    val isSignedIn: Boolean get() = ffi.isSignedIn()

    // Units and profile: read from the replica, so they answer offline.

    suspend fun units(): List<UnitInfo> = io { ffi.units() }

    suspend fun currentUnit(): UnitInfo? = io { ffi.currentUnit() }

    suspend fun setCurrentUnit(unitId: String): UnitInfo = io { ffi.setCurrentUnit(unitId) }

    suspend fun profile(): ProfileInfo? = io { ffi.profile() }

    suspend fun updateProfile(displayName: String? = null, email: String? = null) =
        io { ffi.updateProfile(displayName, email) }

    // Invitations and members (DESIGN.md §2.3). The owner's changes are queued (shown at
    // once, confirmed or refused on sync); the invitee finishes acceptInvite with verifyLogin.

    /** A code for [role] (RESIDENT or TENANT) in [unitId] (the current unit when null). */
    suspend fun createInvite(role: Role, unitId: String? = null): InviteInfo = io { ffi.createInvite(role, unitId) }

    suspend fun invites(unitId: String? = null): List<InviteInfo> = io { ffi.invites(unitId) }

    /** Revokes by the code (as shown or typed) or the invitation id. */
    suspend fun revokeInvite(codeOrId: String): InviteInfo = io { ffi.revokeInvite(codeOrId) }

    suspend fun members(unitId: String? = null): List<MemberInfo> = io { ffi.members(unitId) }

    /** By person id or membership id; their phone loses the unit on its next sync. */
    suspend fun removeMember(personOrMembershipId: String, unitId: String? = null): MemberInfo =
        io { ffi.removeMember(personOrMembershipId, unitId) }

    /** Checks the code with the server and sends an OTP to [phone]; then [verifyLogin]. */
    suspend fun acceptInvite(code: String, phone: String, name: String? = null): OtpChallengeInfo =
        ffi.acceptInvite(code, phone, name)

    /** As [acceptInvite], with the code read from a photo (PNG or JPEG) of its QR. */
    suspend fun acceptInviteImage(image: ByteArray, phone: String, name: String? = null): OtpChallengeInfo =
        ffi.acceptInviteImage(image, phone, name)

    // Sync (DESIGN.md §4).

    /** Pushes queued changes, then pulls. Offline is a state of the report, not an error. */
    suspend fun sync(): SyncReportInfo = ffi.sync()

    fun startBackgroundSync() = ffi.startBackgroundSync()

    val syncStatusNow: SyncStatusInfo get() = ffi.syncStatus()

    /**
     * The sync status: the current one at once, then every change. Conflated — a slow
     * collector sees the latest status, not every intermediate one. Collecting holds a
     * core subscription, cancelled when collection stops.
     */
    val syncStatus: Flow<SyncStatusInfo> = callbackFlow {
        val handle = ffi.subscribeSyncState(object : SyncStateListener {
            override fun onUpdate(status: SyncStatusInfo) {
                trySend(status)
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
     * Shuts the core down (background sync stops, the core's threads end, the database is
     * closed), then frees the native object. Call it when the app's process is ending;
     * it blocks for as long as in-flight work takes to stop (at most 10 s), so not on
     * the main thread. Calling it twice is harmless.
     */
    override fun close() {
        ffi.shutdown()
        ffi.close()
    }

    private suspend fun <T> io(read: () -> T): T = withContext(Dispatchers.IO) { read() }
}
