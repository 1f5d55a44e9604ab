package th.co.lobby

import kotlinx.coroutines.flow.Flow
import kotlinx.coroutines.flow.map
import th.co.lobby.core.Consent
import th.co.lobby.ffi.ConsentsClient
import th.co.lobby.model.ConsentKind

/**
 * Consents under the PDPA (DESIGN.md §2.8): `lobby.consents`. The terms, the privacy
 * policy and marketing, each with the version in force and the person's latest answer.
 * Answers are queued like every change (shown at once, [Consent.pending] until a sync
 * records them); a withdrawal is recorded, not deleted. [toAsk] is what the app must ask
 * now — a new version published asks again by itself.
 */
class LobbyConsents internal constructor(
    /** The generated API underneath. */
    val ffi: ConsentsClient,
    private val tableChanges: (List<String>) -> Flow<Unit>,
) {
    /** Terms, privacy, marketing, in that order. */
    suspend fun list(): List<Consent> = io { ffi.list() }

    /** The kinds to ask about now (empty: nothing to ask). */
    suspend fun toAsk(): List<ConsentKind> = io { ffi.toAsk() }

    /**
     * [toAsk] as a [Flow]: at once, then after every change to the documents in force or
     * the answers (a sync brought a new version, an answer was queued or recorded) — what
     * the app collects to show its consent screen.
     */
    fun observeToAsk(): Flow<List<ConsentKind>> =
        tableChanges(listOf("policies", "consents", "consents_local")).map { toAsk() }

    /** Agrees to [kind] in [version] (default: the version in force). Queued; offline too. */
    suspend fun give(kind: ConsentKind, version: String? = null) = io { ffi.give(kind, version) }

    /**
     * Withdraws or refuses [kind] ([version]: default the one last answered, or the one in
     * force): recorded, not deleted. Queued; offline too.
     */
    suspend fun withdraw(kind: ConsentKind, version: String? = null) = io { ffi.withdraw(kind, version) }
}
