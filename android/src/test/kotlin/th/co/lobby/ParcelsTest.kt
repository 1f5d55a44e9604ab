package th.co.lobby

import kotlinx.coroutines.flow.first
import kotlinx.coroutines.launch
import th.co.lobby.core.Parcel
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withTimeout
import java.awt.image.BufferedImage
import java.io.ByteArrayOutputStream
import javax.imageio.ImageIO
import org.junit.Assert.assertArrayEquals
import org.junit.Assert.assertEquals
import org.junit.Assert.assertTrue
import org.junit.Test
import org.junit.Assert.assertNotEquals
import th.co.lobby.core.CustodyStep
import th.co.lobby.core.ParcelStatus
import th.co.lobby.model.ErrorCode
import th.co.lobby.support.PhoneTestCase
import th.co.lobby.support.TestServer
import th.co.lobby.support.assertFailsWithCode

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
    fun the_observed_parcel_list_re_emits_when_a_sync_brings_a_parcel_and_when_it_is_handed_over() = runBlocking {
        val u = unit("12/345")
        onboard(u)
        val seen = kotlinx.coroutines.channels.Channel<List<Parcel>>(kotlinx.coroutines.channels.Channel.UNLIMITED)
        val collecting = launch(kotlinx.coroutines.Dispatchers.Default) {
            phone.parcels.observe().collect { seen.send(it) }
        }
        suspend fun next(): List<Parcel> = withTimeout(10_000) { seen.receive() }
        assertEquals(emptyList<Parcel>(), next())
        val id = server.addParcel(u.unitId, "คุณสมชาย ใจดี", "ไปรษณีย์ไทย")
        phone.sync()
        var list = next()
        while (list.isEmpty()) list = next()
        assertEquals(listOf(id), list.map { it.parcelId })
        val pass = phone.parcels.pickupPass()
        server.handOver(pass.payload, listOf(id))
        phone.sync()
        list = next()
        while (list.single().status != ParcelStatus.PICKED_UP) list = next()
        assertEquals(CustodyStep.HANDED_OVER, list.single().timeline.last().step)
        collecting.cancel()
    }

    @Test
    fun a_pickup_pass_made_with_the_server_stopped_is_verified_afterwards_and_the_handover_syncs_back() = runBlocking {
        val u = unit("12/345")
        onboard(u)
        val parcel = server.addParcel(u.unitId, "คุณสมชาย ใจดี", "Kerry Express")
        phone.sync()

        server.close()
        val pass = phone.parcels.pickupPass()
        assertTrue(pass.keyRegistered)
        assertEquals(u.unitId, pass.unitId)
        assertTrue(pass.payload.startsWith("LOBBY:PICKUP:1:"))
        val secondsLeft = pass.validUntil.epochSecond - java.time.Instant.now().epochSecond
        assertTrue("valid for $secondsLeft s", secondsLeft in 50..90)
        val png = phone.parcels.pickupQrPng(pass)
        assertArrayEquals("PNG".toByteArray(), png.copyOfRange(1, 4))
        assertEquals(pass.payload, LobbyQr.read(png))

        // The server is back (same database); staff scan the pass.
        server = TestServer.start(dir)
        val verified = server.verifyPickup(pass.payload)
        assertEquals(u.unitId, verified["unit_id"])
        @Suppress("UNCHECKED_CAST")
        val listed = (verified["parcels"] as List<Map<String, Any?>>).map { it["parcel_id"] }
        assertEquals(listOf(parcel), listed)
        val altered = pass.payload.dropLast(1) + (if (pass.payload.last() == 'A') 'B' else 'A')
        assertEquals("pickup_pass_invalid", server.verifyPickupRefusal(altered))
        assertEquals(listOf(parcel), server.handOver(pass.payload, listOf(parcel)))

        phone.setServerUrl(server.url)
        phone.sync()
        val got = phone.parcels.list().single()
        assertEquals(ParcelStatus.PICKED_UP, got.status)
        assertEquals(listOf(CustodyStep.LOGGED, CustodyStep.HANDED_OVER), got.timeline.map { it.step })
        assertEquals("qr", got.timeline[1].method)
        assertEquals("สมชาย ใจดี", got.timeline[1].collectedBy)
        assertNotEquals(null, got.timeline[1].staff)
    }

    @Test
    fun a_pass_from_a_phone_that_signed_out_is_refused_and_none_is_made_without_a_sign_in() = runBlocking {
        val u = unit("12/345")
        onboard(u)
        val pass = phone.parcels.pickupPass(u.unitId)
        phone.auth.logout(false)
        assertEquals("pickup_pass_revoked", server.verifyPickupRefusal(pass.payload))
        assertFailsWithCode(ErrorCode.UNAUTHORIZED) { phone.parcels.pickupPass(u.unitId) }
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
