package th.co.lobby

import th.co.lobby.core.Profile
import th.co.lobby.ffi.ProfileClient

/**
 * The person's own profile: `lobby.profile`. Read from the replica with queued edits laid
 * over it; edits are queued (shown at once, confirmed or refused on sync).
 */
class LobbyProfile internal constructor(
    /** The generated API underneath. */
    val ffi: ProfileClient,
) {
    /** `null` before the first sync. */
    suspend fun get(): Profile? = io { ffi.get() }

    /** A `null` field is left as it is. */
    suspend fun update(displayName: String? = null, email: String? = null) =
        io { ffi.update(displayName, email) }
}
