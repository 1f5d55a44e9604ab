package th.co.lobby

import kotlinx.coroutines.runBlocking
import org.junit.Assert.assertEquals
import org.junit.Assert.assertNull
import org.junit.Assert.assertTrue
import org.junit.Test
import th.co.lobby.model.ErrorCode
import th.co.lobby.model.RequestKind
import th.co.lobby.model.RequestStatus
import th.co.lobby.support.PhoneTestCase
import th.co.lobby.support.assertFailsWithCode

/**
 * Privacy requests (DESIGN.md §2.8, issue 11) through the Kotlin wrapper: [phone] files
 * an erasure and an objection (queued, shown at once, 30-day deadline), staff list the
 * open ones by deadline and answer, and the answers sync back.
 */
class PrivacyTest : PhoneTestCase() {

    @Test
    fun requests_are_filed_listed_by_staff_answered_and_synced_back() = runBlocking {
        onboard(unit("12/345"))
        assertFailsWithCode(ErrorCode.INVALID_INPUT) { phone.privacy.fileRequest(RequestKind.CORRECTION) }
        val erasure = phone.privacy.fileRequest(RequestKind.ERASURE)
        assertTrue(erasure.pending)
        assertEquals(RequestStatus.OPEN, erasure.status)
        assertEquals(30L * 24 * 3600, erasure.deadline.epochSecond - erasure.filedAt.epochSecond)
        val objection = phone.privacy.fileRequest(RequestKind.OBJECTION, "ไม่ประสงค์ให้ใช้ข้อมูลเพื่อการตลาด")
        phone.sync()
        assertTrue(phone.privacy.requests().none { it.pending || it.refused != null })

        val open = server.privacyRequests(project)
        assertEquals(setOf(erasure.requestId, objection.requestId), open.map { it["request_id"] }.toSet())
        server.decidePrivacyRequest(erasure.requestId, approve = false, reason = "ยังเป็นเจ้าของห้อง 12/345")
        server.decidePrivacyRequest(objection.requestId, approve = true)
        phone.sync()
        val answered = phone.privacy.requests().associateBy { it.requestId }
        assertEquals(RequestStatus.REJECTED, answered.getValue(erasure.requestId).status)
        assertEquals("ยังเป็นเจ้าของห้อง 12/345", answered.getValue(erasure.requestId).answer)
        assertEquals(RequestStatus.APPROVED, answered.getValue(objection.requestId).status)
        assertNull(answered.getValue(objection.requestId).answer)
        assertTrue(server.privacyRequests(project).isEmpty())
    }

    @Test
    fun the_export_is_one_json_document_of_the_servers_part_and_the_phones_own() = runBlocking {
        onboard(unit("12/345"))
        phone.privacy.fileRequest(RequestKind.OBJECTION, "ไม่รับข่าวสาร")
        @Suppress("UNCHECKED_CAST")
        val doc = th.co.lobby.support.Json.parse(phone.privacy.export()) as Map<String, Any?>
        assertEquals("lobby-export/1", doc["format"])
        @Suppress("UNCHECKED_CAST")
        val server = doc["server"] as Map<String, List<Map<String, Any?>>>
        assertTrue((server.getValue("profile")[0]["phone"] as String).startsWith("+66"))
        // The fixture registry gives this owner 12/345 and 12/346.
        assertEquals(2, server.getValue("units_owned").size)
        // The queued request is the phone's own.
        @Suppress("UNCHECKED_CAST")
        val device = doc["device"] as Map<String, List<Any?>>
        assertEquals(1, device.getValue("privacy_requests_local").size)
    }
}
