package th.co.lobby

import kotlinx.coroutines.flow.first
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withTimeout
import java.awt.image.BufferedImage
import java.io.ByteArrayOutputStream
import javax.imageio.ImageIO
import org.junit.Assert.assertArrayEquals
import org.junit.Assert.assertEquals
import org.junit.Assert.assertTrue
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

    @Test
    fun a_parcel_photo_is_fetched_once_and_then_shown_with_the_server_stopped() = runBlocking {
        val u = unit("12/345")
        onboard(u)
        val id = server.addParcel(u.unitId, "คุณสมชาย ใจดี", "Kerry Express")
        val jpeg = ByteArrayOutputStream().also { out ->
            val img = BufferedImage(32, 24, BufferedImage.TYPE_INT_RGB)
            for (x in 0 until 32) for (y in 0 until 24) img.setRGB(x, y, (x * 8 shl 16) or (y * 10 shl 8))
            check(ImageIO.write(img, "jpg", out))
        }.toByteArray()
        val fileId = server.setParcelPhoto(id, jpeg)
        phone.sync()
        val listed = phone.parcels.list().single()
        val photo = listed.photo ?: error("the synced parcel has no photo")
        assertEquals(fileId, photo.fileId)
        assertEquals(jpeg.size.toULong(), photo.size)
        assertEquals(false, photo.cached)
        assertArrayEquals(jpeg, phone.parcels.photo(id))
        assertTrue(phone.parcels.list().single().photo!!.cached)
        server.close()
        assertArrayEquals(jpeg, phone.parcels.photo(id))
    }
}
