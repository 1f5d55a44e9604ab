package th.co.lobby

import kotlinx.coroutines.flow.first
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withTimeout
import org.junit.Assert.assertEquals
import org.junit.Test
import th.co.lobby.core.ParcelStatus
import th.co.lobby.support.PhoneTestCase

class ParcelsTest : PhoneTestCase() {

    @Test
    fun parcels_are_listed_after_sync_and_filtered_with_the_server_stopped() = runBlocking {
        val u = unit("12/345")
        onboard(u)
        val somchai = server.addParcel(u.unitId, "คุณสมชาย ใจดี", "Kerry Express", "KEX123456789TH")
        server.addParcel(u.unitId, "Jane Doe", "ไปรษณีย์ไทย")
        phone.sync()
        server.close()
        assertEquals(2, phone.parcels.list().size)
        val mine = phone.parcels.list(recipient = "สมชาย")
        assertEquals(listOf(somchai), mine.map { it.parcelId })
        assertEquals(ParcelStatus.WAITING, mine.single().status)
        assertEquals("KEX123456789TH", mine.single().tracking)
        assertEquals(1, phone.parcels.list(recipient = "jane").size)
        assertEquals(0, phone.parcels.list(status = ParcelStatus.PICKED_UP).size)
    }

    @Test
    fun a_new_parcel_is_announced_until_marked_and_then_never_again() = runBlocking {
        val u = unit("12/345")
        onboard(u)
        val id = server.addParcel(u.unitId, "คุณสมชาย ใจดี", "Kerry Express")
        phone.sync()
        assertEquals(listOf(id), phone.parcels.newArrivals().map { it.parcelId })
        assertEquals(listOf(id), phone.parcels.newArrivals().map { it.parcelId })
        phone.parcels.markAnnounced(listOf(id))
        assertEquals(emptyList<String>(), phone.parcels.newArrivals().map { it.parcelId })
        phone.sync()
        assertEquals(emptyList<String>(), phone.parcels.newArrivals().map { it.parcelId })
    }

    @Test
    fun the_arrivals_flow_tells_the_app_of_a_new_parcel_after_sync() = runBlocking {
        val u = unit("12/345")
        onboard(u)
        val id = server.addParcel(u.unitId, "คุณสมชาย ใจดี", "ไปรษณีย์ไทย")
        phone.sync()
        val announced = withTimeout(10_000) { phone.parcelArrivals.first() }
        assertEquals(listOf(id), announced.map { it.parcelId })
        phone.parcels.markAnnounced(announced.map { it.parcelId })
        assertEquals(emptyList<String>(), phone.parcels.newArrivals().map { it.parcelId })
    }
}
