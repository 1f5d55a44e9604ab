package th.co.lobby

import kotlinx.coroutines.runBlocking
import org.junit.Assert.assertEquals
import org.junit.Test
import th.co.lobby.support.PhoneTestCase

class ProfileTest : PhoneTestCase() {

    @Test
    fun a_display_name_edit_shows_at_once_and_is_confirmed_by_the_next_sync() = runBlocking {
        onboard(unit("12/345"))
        phone.profile.update(displayName = "ชาย")
        assertEquals(1u, phone.profile.get()?.pendingEdits)
        assertEquals("ชาย", phone.profile.get()?.displayName)
        phone.sync()
        val confirmed = phone.profile.get()
        assertEquals(0u, confirmed?.pendingEdits)
        assertEquals("ชาย", confirmed?.displayName)
    }
}
