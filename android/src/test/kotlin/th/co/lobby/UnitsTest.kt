package th.co.lobby

import kotlinx.coroutines.runBlocking
import org.junit.Assert.assertEquals
import org.junit.Assert.assertFalse
import org.junit.Assert.assertNull
import org.junit.Assert.assertTrue
import org.junit.Test
import th.co.lobby.model.ErrorCode
import th.co.lobby.core.SyncState
import th.co.lobby.support.PhoneTestCase
import th.co.lobby.support.assertFailsWithCode

class UnitsTest : PhoneTestCase() {

    @Test
    fun a_phone_not_signed_in_has_no_current_unit() = runBlocking {
        assertNull(phone.units.current())
    }

    @Test
    fun the_first_unit_is_the_current_unit_after_onboarding() = runBlocking {
        onboard(unit("12/345"))
        assertEquals(unit("12/345").unitId, phone.units.current()?.unitId)
    }

    @Test
    fun choosing_another_unit_makes_it_current() = runBlocking {
        onboard(unit("12/345"))
        phone.auth.claimOnboarding(unit("12/346").payload)
        phone.units.setCurrent(unit("12/346").unitId)
        assertEquals("12/346", phone.units.current()?.unitNumber)
    }

    @Test
    fun choosing_a_unit_of_someone_else_is_not_found() {
        runBlocking { onboard(unit("12/345")) }
        assertFailsWithCode(ErrorCode.NOT_FOUND) { phone.units.setCurrent(unit("B-1203").unitId) }
    }

    @Test
    fun the_units_of_a_shut_down_lobby_fail_with_closed() {
        runBlocking { onboard(unit("12/345")) }
        assertFalse(phone.isShutDown)
        phone.ffi.shutdown()
        assertTrue(phone.isShutDown)
        assertFailsWithCode(ErrorCode.CLOSED) { phone.units.list() }
    }

    @Test
    fun closing_the_lobby_twice_is_harmless() {
        runBlocking { onboard(unit("12/345")) }
        phone.close()
        assertTrue(phone.isShutDown) // answers after close too, the native object freed
        phone.close() // and the test's own teardown closes it a third time
    }

    @Test
    fun units_answer_from_the_replica_and_sync_reports_offline_after_the_server_stops() = runBlocking {
        onboard(unit("12/345"))
        server.close()
        assertEquals(listOf("12/345"), phone.units.list().map { it.unitNumber })
        assertEquals(SyncState.Offline, phone.sync().state)
        assertEquals(SyncState.Offline, phone.syncStatusNow.state)
    }
}
