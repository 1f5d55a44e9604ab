package th.co.lobby

import java.io.File
import kotlinx.coroutines.runBlocking
import org.junit.Assert.assertEquals
import org.junit.Assert.assertNotEquals
import org.junit.Assert.assertTrue
import org.junit.Test
import th.co.lobby.model.ErrorCode
import th.co.lobby.model.ProjectKind
import th.co.lobby.model.Role
import th.co.lobby.support.MemorySecretStore
import th.co.lobby.support.PhoneTestCase
import th.co.lobby.support.assertFailsWithCode

class OnboardingTest : PhoneTestCase() {

    @Test
    fun scanning_a_payload_shows_the_thai_owner_name_and_the_unit() = runBlocking {
        val scanned = phone.auth.scanOnboarding(unit("12/345").payload)
        assertEquals("สมชาย ใจดี", scanned.ownerName)
        assertEquals("12/345", scanned.unitNumber)
        assertEquals(PROJECT_NAME, scanned.projectName)
        assertEquals(ProjectKind.CONDOMINIUM, scanned.projectKind)
        assertTrue(scanned.newAccount)
    }

    @Test
    fun a_photo_of_the_onboarding_qr_scans_like_its_text() = runBlocking {
        val photo = LobbyQr.render(unit("B-1204").payload)
        val scanned = phone.auth.scanOnboardingImage(photo)
        assertEquals("นางสาว วิภา ศรีสุข", scanned.ownerName)
        assertEquals("B-1204", scanned.unitNumber)
    }

    @Test
    fun owner_onboards_by_payload_and_reads_the_unit_back() = runBlocking {
        val signedIn = onboard(unit("12/345"))
        assertEquals(listOf("12/345"), signedIn.units.map { it.unitNumber })
        val units = phone.units.list()
        assertEquals(1, units.size)
        assertEquals(unit("12/345").unitId, units[0].unitId)
        assertEquals(Role.OWNER, units[0].role)
        assertEquals(PROJECT_NAME, units[0].projectName)
    }

    @Test
    fun a_tampered_payload_is_refused_offline_with_onboarding_token_invalid() {
        val payload = unit("12/345").payload
        val i = "LOBBY:ONBOARD:1:".length
        val tampered = payload.substring(0, i) + (if (payload[i] == 'A') 'B' else 'A') + payload.substring(i + 1)
        // A phone whose server cannot be reached: a network call would fail with OFFLINE.
        val offline = runBlocking { Lobby.open(File(dir, "offline-phone"), "http://127.0.0.1:9", MemorySecretStore()) }
        offline.use {
            assertFailsWithCode(ErrorCode.ONBOARDING_TOKEN_INVALID) { it.auth.scanOnboarding(tampered) }
        }
    }

    @Test
    fun a_weak_password_is_refused_with_password_weak() {
        assertFailsWithCode(ErrorCode.PASSWORD_WEAK) {
            phone.auth.startOnboarding(unit("12/345").payload, SOMCHAI_PHONE, "alllowercase")
        }
    }

    @Test
    fun a_wrong_otp_is_refused_with_otp_invalid() {
        runBlocking { phone.auth.startOnboarding(unit("12/345").payload, SOMCHAI_PHONE, PASSWORD) }
        assertFailsWithCode(ErrorCode.OTP_INVALID) { phone.auth.verifyOnboarding(server.wrongOtp(SOMCHAI_PHONE)) }
        assertTrue(!phone.auth.isSignedIn)
    }

    @Test
    fun a_signed_in_owner_adds_a_second_unit_by_its_qr() = runBlocking {
        onboard(unit("12/345"))
        val claimed = phone.auth.claimOnboarding(unit("12/346").payload)
        assertEquals(setOf("12/345", "12/346"), claimed.units.map { it.unitNumber }.toSet())
        assertNotEquals(null, phone.units.list().singleOrNull { it.unitNumber == "12/346" })
    }
}
