package th.co.lobby

import java.io.File
import kotlinx.coroutines.runBlocking
import org.junit.Assert.assertEquals
import org.junit.Assert.assertFalse
import org.junit.Assert.assertNull
import org.junit.Assert.assertTrue
import org.junit.Test
import th.co.lobby.core.SyncState
import th.co.lobby.model.RequestKind
import th.co.lobby.model.ErrorCode
import th.co.lobby.support.MemorySecretStore
import th.co.lobby.support.PhoneTestCase
import th.co.lobby.support.assertFailsWithCode

/** Devices and sessions (issue 11): which device, last seen, and this one. */
class SessionsTest : PhoneTestCase() {

    private val tabletLabel = "Galaxy Tab S9 · แท็บเล็ต"

    /** A second device of the same owner, labelled, signed in with the password. */
    private fun <T> withTablet(block: suspend (Lobby) -> T): T = runBlocking {
        val tablet = Lobby.open(File(dir, "tablet"), server.url, MemorySecretStore(), tabletLabel)
        try {
            tablet.auth.loginPassword(SOMCHAI_PHONE, PASSWORD)
            block(tablet)
        } finally {
            tablet.close()
        }
    }

    @Test
    fun two_sign_ins_are_listed_with_their_labels_and_each_phone_is_current_on_its_own_list() {
        runBlocking { onboard(unit("12/345")) }
        withTablet { tablet ->
            val fromTablet = tablet.auth.sessions()
            val fromPhone = phone.auth.sessions()
            assertEquals(2, fromTablet.size)
            assertEquals(fromTablet.map { it.sessionId }.toSet(), fromPhone.map { it.sessionId }.toSet())

            val tabletOwn = fromTablet.single { it.current }
            assertEquals(tabletLabel, tabletOwn.device)
            // This test's phone gave no label: an unknown device.
            val phoneOwn = fromPhone.single { it.current }
            assertNull(phoneOwn.device)
            assertEquals(tabletOwn.sessionId, fromPhone.single { !it.current }.sessionId)
            // The most recently seen first: the tablet signed in last.
            assertEquals(tabletLabel, fromPhone.first().device)
            assertTrue(fromPhone.all { !it.signedInAt.isAfter(it.lastSeen) })
        }
    }

    @Test
    fun erasing_the_tablet_ends_its_sign_in_so_the_phone_no_longer_lists_it() {
        runBlocking { onboard(unit("12/345")) }
        withTablet { tablet ->
            assertEquals(2, phone.auth.sessions().size)
            assertTrue(tablet.signOutAndWipe())
            assertFalse(tablet.auth.isSignedIn)
            assertTrue(tablet.units.list().isEmpty())
        }
        val left = runBlocking { phone.auth.sessions() }
        assertEquals(1, left.size)
        assertTrue(left.single().current)
    }

    @Test
    fun logging_out_everywhere_on_the_tablet_wipes_the_phone_at_its_next_sync() {
        runBlocking { onboard(unit("12/345")) }
        withTablet { tablet -> assertTrue(tablet.auth.logout(everywhere = true)) }
        val report = runBlocking { phone.sync() }
        val state = report.state
        assertTrue("$state", state is SyncState.Error && state.code == ErrorCode.UNAUTHORIZED)
        assertFalse(phone.auth.isSignedIn)
        assertTrue(runBlocking { phone.units.list() }.isEmpty())
        assertFailsWithCode(ErrorCode.UNAUTHORIZED) { phone.auth.sessions() }
    }

    @Test
    fun reporting_misuse_from_the_tablet_ends_every_sign_in_and_the_report_is_listed_after_signing_in_again() {
        runBlocking { onboard(unit("12/345")) }
        val report = withTablet { tablet ->
            assertFailsWithCode(ErrorCode.INVALID_INPUT) { tablet.auth.reportMisuse("ปลอม\u202E") }
            tablet.auth.reportMisuse("มีคนใช้บัญชีของฉัน").also { assertFalse(tablet.auth.isSignedIn) }
        }
        val hours = java.time.Duration.between(java.time.Instant.now(), report.deadline).toMinutes()
        assertTrue("$hours", hours in 71 * 60..72 * 60)
        val state = runBlocking { phone.sync() }.state
        assertTrue("$state", state is SyncState.Error && state.code == ErrorCode.UNAUTHORIZED)
        assertFalse(phone.auth.isSignedIn)
        runBlocking { phone.auth.loginPassword(SOMCHAI_PHONE, PASSWORD) }
        val listed = runBlocking { phone.privacy.requests() }.single { it.requestId == report.requestId }
        assertEquals(RequestKind.MISUSE, listed.kind)
        assertEquals("มีคนใช้บัญชีของฉัน", listed.detail)
    }
}
