package th.co.lobby

import th.co.lobby.core.OtpChallenge
import th.co.lobby.core.Profile
import th.co.lobby.ffi.ProfileClient

/**
 * The person's own profile: `lobby.profile`. Read from the replica with queued edits laid
 * over it. The display name is queued (shown at once, confirmed or refused on sync); the
 * login e-mail changes only by a code sent to the new address (online).
 */
class LobbyProfile internal constructor(
    /** The generated API underneath. */
    val ffi: ProfileClient,
) {
    /** `null` before the first sync. */
    suspend fun get(): Profile? = io { ffi.get() }

    /** Queued; works offline. */
    suspend fun setDisplayName(displayName: String) = io { ffi.setDisplayName(displayName) }

    /** Sends a code to the new address; then [confirmEmailChange]. */
    suspend fun requestEmailChange(email: String): OtpChallenge = ffi.requestEmailChange(email)

    /** The address becomes the login e-mail (the old one is told); the synced profile. */
    suspend fun confirmEmailChange(code: String): Profile? = ffi.confirmEmailChange(code)

    /**
     * Sends a code to the new phone number (any common Thai form); then [confirmPhoneChange].
     * Needs a sign-in from the last 10 minutes, else `LobbyException` with `reauth_required`.
     */
    suspend fun requestPhoneChange(phone: String): OtpChallenge = ffi.requestPhoneChange(phone)

    /** The number becomes the person's phone (the old one is told); the synced profile. */
    suspend fun confirmPhoneChange(code: String): Profile? = ffi.confirmPhoneChange(code)
}
