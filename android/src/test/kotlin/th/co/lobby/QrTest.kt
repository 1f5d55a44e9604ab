package th.co.lobby

import kotlinx.coroutines.runBlocking
import org.junit.Assert.assertArrayEquals
import org.junit.Assert.assertEquals
import org.junit.Test
import th.co.lobby.model.ErrorCode
import th.co.lobby.ffi.checkPasswordPolicy
import th.co.lobby.ffi.normalizeThaiPhone
import th.co.lobby.support.assertFailsWithCode

/** Free functions: no server, no phone. */
class QrTest {

    @Test
    fun a_rendered_qr_reads_back_to_the_same_thai_text() = runBlocking {
        val png = LobbyQr.render("ห้อง 12/345 — สมชาย")
        assertArrayEquals(byteArrayOf(0x89.toByte(), 'P'.code.toByte(), 'N'.code.toByte(), 'G'.code.toByte()), png.copyOf(4))
        assertEquals("ห้อง 12/345 — สมชาย", LobbyQr.read(png))
    }

    @Test
    fun a_picture_that_is_not_a_qr_is_qr_unreadable() {
        assertFailsWithCode(ErrorCode.QR_UNREADABLE) { LobbyQr.read("not a picture".toByteArray()) }
    }

    @Test
    fun thai_mobile_numbers_normalize_to_e164() {
        assertEquals("+66812345678", normalizeThaiPhone("081-234-5678"))
    }

    @Test
    fun a_short_password_is_refused_while_typing() {
        assertFailsWithCode(ErrorCode.PASSWORD_TOO_SHORT) { checkPasswordPolicy("Ab1") }
    }
}
