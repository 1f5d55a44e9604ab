package th.co.lobby

import kotlinx.coroutines.runBlocking
import org.junit.Assert.assertEquals
import org.junit.Assert.assertFalse
import org.junit.Assert.assertTrue
import org.junit.Test
import th.co.lobby.model.ErrorCode
import th.co.lobby.support.PhoneTestCase
import th.co.lobby.support.assertFailsWithCode

class AuthTest : PhoneTestCase() {

    /** The sign-in's tokens and its device key (which signs pickup passes). */
    private val sessionKeys = setOf("session.access_token", "session.refresh_token", "session.device_key")

    /** The key of the phone's encrypted database: the device's, not the session's. */
    private val databaseKey = "database.key"

    @Test
    fun session_tokens_and_device_key_land_in_the_app_secret_store_and_leave_on_logout() = runBlocking {
        onboard(unit("12/345"))
        assertEquals(sessionKeys + databaseKey, secrets.entries.keys.toSet())
        assertTrue(phone.auth.logout())
        assertEquals(setOf(databaseKey), secrets.entries.keys.toSet())
        assertFalse(phone.auth.isSignedIn)
    }

    @Test
    fun the_database_key_is_made_on_first_open_and_is_64_hex_digits() {
        val key = secrets.entries[databaseKey]
        assertTrue("no database key in the app's secret store", key != null)
        assertTrue(key!!.matches(Regex("[0-9a-f]{64}")))
    }

    @Test
    fun an_owner_signs_in_again_with_phone_and_password() = runBlocking {
        onboard(unit("12/345"))
        phone.auth.logout()
        assertTrue(phone.units.list().isEmpty())
        val signedIn = phone.auth.loginPassword(SOMCHAI_PHONE, PASSWORD)
        assertEquals(listOf("12/345"), signedIn.units.map { it.unitNumber })
        assertTrue(phone.auth.isSignedIn)
    }

    @Test
    fun a_wrong_password_is_refused_with_invalid_credentials() {
        runBlocking {
            onboard(unit("12/345"))
            phone.auth.logout()
        }
        assertFailsWithCode(ErrorCode.INVALID_CREDENTIALS) { phone.auth.loginPassword(SOMCHAI_PHONE, "Wrong-Password-1") }
    }

    @Test
    fun an_owner_signs_in_with_an_otp_sent_to_her_email() = runBlocking {
        // Onboarding sends its code to the phone; the login code goes to the e-mail (a
        // second code to the same phone within a minute would be rate limited).
        phone.auth.startOnboarding(unit("B-1203").payload, "0891112222", PASSWORD, email = "jane@example.com")
        phone.auth.verifyOnboarding(server.peekOtp("0891112222"))
        phone.auth.logout()
        phone.auth.loginOtp("jane@example.com")
        val signedIn = phone.auth.verifyLogin(server.peekOtp("jane@example.com"))
        assertEquals(listOf("B-1203"), signedIn.units.map { it.unitNumber })
    }
}
