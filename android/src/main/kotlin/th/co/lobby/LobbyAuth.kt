package th.co.lobby

import th.co.lobby.core.MisuseReport
import th.co.lobby.core.OtpChallenge
import th.co.lobby.core.SessionInfo
import th.co.lobby.core.SignedIn
import th.co.lobby.ffi.AuthClient
import th.co.lobby.ffi.OnboardingConsent
import th.co.lobby.ffi.OnboardingInfo
import th.co.lobby.model.ConsentKind

/**
 * Onboarding by QR (DESIGN.md §2.1) and signing in and out (§2.2): `lobby.auth`.
 *
 * Network calls, all `suspend`. A QR payload, phone number or password is checked on the
 * phone first, so bad input fails offline with the server's own codes.
 *
 * [sessions] lists the person's signed-in devices (the label each gave, see
 * [Lobby.open]'s `deviceLabel`); one not recognised is ended with `logout(everywhere = true)`.
 */
class LobbyAuth internal constructor(
    /** The generated API underneath. */
    val ffi: AuthClient,
) {
    suspend fun scanOnboarding(payload: String): OnboardingInfo = ffi.scanOnboarding(payload)

    suspend fun scanOnboardingImage(image: ByteArray): OnboardingInfo = ffi.scanOnboardingImage(image)

    /**
     * Confirms the registration and sends the OTP. [consents] answers the documents the scan
     * listed ([OnboardingInfo.policies]; see [agreeTo]), recorded with the account, so the
     * first sync asks nothing already answered; empty: asked after the first sync.
     */
    suspend fun startOnboarding(
        payload: String,
        phone: String,
        password: String,
        email: String? = null,
        name: String? = null,
        consents: List<OnboardingConsent> = emptyList(),
    ): OtpChallenge = ffi.startOnboarding(payload, phone, password, email, name, consents)

    suspend fun verifyOnboarding(code: String): SignedIn = ffi.verifyOnboarding(code)

    /** Adds another unit's QR to the signed-in account. */
    suspend fun claimOnboarding(payload: String): SignedIn = ffi.claimOnboarding(payload)

    suspend fun loginOtp(to: String): OtpChallenge = ffi.loginOtp(to)

    /** Checks the login code; also finishes [LobbyInvites.accept]. */
    suspend fun verifyLogin(code: String): SignedIn = ffi.verifyLogin(code)

    suspend fun loginPassword(to: String, password: String): SignedIn = ffi.loginPassword(to, password)

    /** Returns whether the server confirmed; the phone's tokens are gone either way. */
    suspend fun logout(everywhere: Boolean = false): Boolean = ffi.logout(everywhere)

    /**
     * The person's signed-in devices, the most recently seen first, this phone's own with
     * `current`; a `null` [SessionInfo.device] is an unknown device (show your own text).
     * Asks the server: throws `OFFLINE` without the network, `UNAUTHORIZED` when signed out.
     */
    suspend fun sessions(): List<SessionInfo> = ffi.sessions()

    /**
     * "Someone else used my account": ends every sign-in of the account and reports the
     * misuse to the juristic office (a privacy request due in 72 hours), then signs this
     * phone out like [logout]. Online only: throws `OFFLINE` and keeps the session when the
     * server could not be reached, so the person can try again.
     */
    suspend fun reportMisuse(detail: String? = null): MisuseReport = ffi.reportMisuse(detail)

    val isSignedIn: Boolean get() = ffi.isSignedIn()
}

/**
 * Answers to the documents this scan listed: [agreed] kinds agreed, every other one listed
 * refused, each in the version the preview showed.
 */
fun OnboardingInfo.agreeTo(vararg agreed: ConsentKind): List<OnboardingConsent> =
    policies.map { OnboardingConsent(it.kind, it.version, it.kind in agreed) }
