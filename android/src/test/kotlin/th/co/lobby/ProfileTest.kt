package th.co.lobby

import kotlinx.coroutines.runBlocking
import org.junit.Assert.assertEquals
import org.junit.Test
import th.co.lobby.model.ErrorCode
import th.co.lobby.support.PhoneTestCase
import th.co.lobby.support.assertFailsWithCode

class ProfileTest : PhoneTestCase() {

    @Test
    fun a_display_name_edit_shows_at_once_and_is_confirmed_by_the_next_sync() = runBlocking {
        onboard(unit("12/345"))
        phone.profile.setDisplayName("ชาย")
        assertEquals(1u, phone.profile.get()?.pendingEdits)
        assertEquals("ชาย", phone.profile.get()?.displayName)
        phone.sync()
        val confirmed = phone.profile.get()
        assertEquals(0u, confirmed?.pendingEdits)
        assertEquals("ชาย", confirmed?.displayName)
    }

    @Test
    fun the_login_email_changes_only_with_the_code_sent_to_the_new_address() = runBlocking {
        onboard(unit("12/345"))
        val sent = phone.profile.requestEmailChange("Somchai.New@Example.com")
        assertEquals(true, sent.sentTo.contains("@"))
        assertFailsWithCode(ErrorCode.OTP_INVALID) {
            phone.profile.confirmEmailChange(server.wrongOtp("somchai.new@example.com"))
        }
        assertEquals("somchai@example.com", phone.profile.get()?.email)
        val changed = phone.profile.confirmEmailChange(server.peekOtp("somchai.new@example.com"))
        assertEquals("somchai.new@example.com", changed?.email)
        assertEquals("somchai.new@example.com", phone.profile.get()?.email)
    }

    @Test
    fun an_email_typed_at_onboarding_is_confirmed_by_its_own_code() = runBlocking {
        phone.auth.startOnboarding(unit("12/345").payload, SOMCHAI_PHONE, PASSWORD, email = "somchai.typed@example.com")
        val signed = phone.auth.verifyOnboarding(server.peekOtp(SOMCHAI_PHONE))
        assertEquals(true, signed.emailCodeSentTo?.contains("@"))
        assertEquals("somchai@example.com", phone.profile.get()?.email)
        val changed = phone.profile.confirmEmailChange(server.peekOtp("somchai.typed@example.com"))
        assertEquals("somchai.typed@example.com", changed?.email)
    }

    @Test
    fun the_phone_number_changes_only_with_the_code_sent_to_the_new_number() = runBlocking {
        onboard(unit("12/345"))
        assertFailsWithCode(ErrorCode.PHONE_INVALID) { phone.profile.requestPhoneChange("12345") }
        val sent = phone.profile.requestPhoneChange("087-654-3210")
        assertEquals(true, sent.sentTo.startsWith("+66"))
        assertFailsWithCode(ErrorCode.OTP_INVALID) {
            phone.profile.confirmPhoneChange(server.wrongOtp("0876543210"))
        }
        assertEquals("+66812345678", phone.profile.get()?.phone)
        val changed = phone.profile.confirmPhoneChange(server.peekOtp("0876543210"))
        assertEquals("+66876543210", changed?.phone)
        assertEquals("+66876543210", phone.profile.get()?.phone)
    }
}
