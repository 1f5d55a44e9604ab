package th.co.lobby

import kotlinx.coroutines.flow.Flow
import kotlinx.coroutines.flow.map
import th.co.lobby.core.PrivacyRequest
import th.co.lobby.ffi.PrivacyClient
import th.co.lobby.model.RequestKind

/**
 * Privacy requests under the PDPA (DESIGN.md §2.8): `lobby.privacy`. Erasure, correction
 * (of what only the office may change: a name, a unit, a ratio) and objection, filed from
 * the phone like every change (queued, [PrivacyRequest.pending] until sent), each with
 * the 30-day [PrivacyRequest.deadline], its status and the office's answer as they sync
 * back. An erasure is taken only from a sign-in of the last 10 minutes: otherwise it
 * comes back with [PrivacyRequest.refused] = `reauth_required` — sign in again and file
 * it again.
 */
class LobbyPrivacy internal constructor(
    /** The generated API underneath. */
    val ffi: PrivacyClient,
    private val tableChanges: (List<String>) -> Flow<Unit>,
) {
    /** Files a request; a correction needs [detail] (what is wrong, what it should be). */
    suspend fun fileRequest(kind: RequestKind, detail: String? = null): PrivacyRequest =
        io { ffi.fileRequest(kind, detail) }

    /**
     * Everything held about the person as one JSON document (docs/export.md): the server's
     * part and what only this phone holds. Needs a sign-in of the last 10 minutes, or it
     * throws `REAUTH_REQUIRED`; the app asks the person to sign in again, then repeats.
     */
    suspend fun export(): String = ffi.export()

    /** The person's requests, newest first. */
    suspend fun requests(): List<PrivacyRequest> = io { ffi.requests() }

    /** [requests] as a [Flow]: at once, then after every change to them or the queue. */
    fun observeRequests(): Flow<List<PrivacyRequest>> =
        tableChanges(listOf("privacy_requests", "privacy_requests_local", "outbox")).map { requests() }
}
