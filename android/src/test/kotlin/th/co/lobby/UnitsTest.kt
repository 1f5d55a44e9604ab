package th.co.lobby

import kotlinx.coroutines.runBlocking
import org.junit.Assert.assertEquals
import org.junit.Assert.assertNull
import org.junit.Test
import th.co.lobby.model.ErrorCode
import th.co.lobby.core.SyncState
import th.co.lobby.support.PhoneTestCase
import th.co.lobby.support.assertFailsWithCode

class UnitsTest : PhoneTestCase() {

    @Test
    fun a_phone_not_signed_in_has_no_current_unit() = runBlocking {
        assertNull(phone.currentUnit())
    }

    @Test
    fun the_first_unit_is_the_current_unit_after_onboarding() = runBlocking {
        onboard(unit("12/345"))
        assertEquals(unit("12/345").unitId, phone.currentUnit()?.unitId)
    }

    @Test
    fun choosing_another_unit_makes_it_current() = runBlocking {
        onboard(unit("12/345"))
        phone.claimOnboarding(unit("12/346").payload)
        phone.setCurrentUnit(unit("12/346").unitId)
        assertEquals("12/346", phone.currentUnit()?.unitNumber)
    }

    @Test
    fun choosing_a_unit_of_someone_else_is_not_found() {
        runBlocking { onboard(unit("12/345")) }
        assertFailsWithCode(ErrorCode.NOT_FOUND) { phone.setCurrentUnit(unit("B-1203").unitId) }
    }

    @Test
    fun units_answer_from_the_replica_and_sync_reports_offline_after_the_server_stops() = runBlocking {
        onboard(unit("12/345"))
        server.close()
        assertEquals(listOf("12/345"), phone.units().map { it.unitNumber })
        assertEquals(SyncState.Offline, phone.sync().state)
        assertEquals(SyncState.Offline, phone.syncStatusNow.state)
    }
}
