package th.co.lobby

import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.channels.Channel
import kotlinx.coroutines.launch
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withTimeout
import org.junit.Assert.assertArrayEquals
import org.junit.Assert.assertEquals
import org.junit.Assert.assertFalse
import org.junit.Assert.assertNull
import org.junit.Assert.assertTrue
import org.junit.Test
import th.co.lobby.core.Announcement
import th.co.lobby.core.UnitUnread
import th.co.lobby.model.AnnouncementKind
import th.co.lobby.model.ErrorCode
import th.co.lobby.support.PhoneTestCase
import th.co.lobby.support.assertFailsWithCode

/**
 * Announcements (DESIGN.md §2.5, issue 10) through the Kotlin wrapper: [phone] is
 * Somchai, owner of 12/345 in the demo registry; staff post through the server's admin
 * API and read who opened what.
 */
class AnnouncementsTest : PhoneTestCase() {

    companion object {
        /** A small, whole PDF (the server sniffs the bytes). */
        val PDF = "%PDF-1.4\n% ประกาศ\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n".toByteArray(Charsets.UTF_8)
    }

    private val somchai get() = unit("12/345").unitId

    /** The phone's unread count for 12/345. */
    private suspend fun unread(): UInt =
        phone.announcements.unreadCountsNow().single { it.unitId == somchai }.unread

    @Suppress("UNCHECKED_CAST")
    private fun readers(announcementId: String): List<Map<String, Any?>> =
        server.announcementReaders(announcementId)["readers"] as List<Map<String, Any?>>

    @Test
    fun unread_falls_as_the_list_is_left_and_the_acknowledge_one_is_opened_and_staff_then_see_the_owner() = runBlocking {
        val me = onboard(unit("12/345"))
        val water = server.postAnnouncement(project, "งดจ่ายน้ำวันอังคาร", "general")
        val rule = server.postAnnouncement(project, "กฎใหม่ของสระว่ายน้ำ", "acknowledge", listOf(somchai))
        // For another unit only: never shown here.
        server.postAnnouncement(project, "เฉพาะห้อง B-1203", "general", listOf(unit("B-1203").unitId))
        assertEquals(emptyList<Announcement>(), phone.announcements.list(somchai))
        assertEquals(0u, unread())

        phone.sync()
        val list = phone.announcements.list(somchai)
        assertEquals(listOf(rule, water), list.map { it.announcementId })
        assertEquals(listOf("กฎใหม่ของสระว่ายน้ำ", "งดจ่ายน้ำวันอังคาร"), list.map { it.title })
        assertEquals(listOf(AnnouncementKind.ACKNOWLEDGE, AnnouncementKind.GENERAL), list.map { it.kind })
        assertEquals("เรียนท่านเจ้าของร่วม\nรายละเอียดตามประกาศ", list[0].body)
        assertTrue(list.all { it.unread && !it.opened && it.unitId == somchai && it.attachment == null })
        assertEquals(2u, unread())

        // Leaving the list clears the general one only.
        phone.announcements.listLeft(somchai)
        assertEquals(1u, unread())
        val left = phone.announcements.list(somchai)
        assertEquals(listOf(true, false), left.map { it.unread })

        // Opening the acknowledge one acknowledges it on the phone at once.
        val opened = phone.announcements.open(rule, somchai)
        assertEquals(rule, opened.announcementId)
        assertTrue(opened.opened)
        assertFalse(opened.unread)
        assertEquals(0u, unread())
        assertEquals(listOf(UnitUnread(somchai, 0u)), phone.announcements.unreadCountsNow())
        assertEquals(emptyList<Map<String, Any?>>(), readers(rule))

        // Staff learn of it with the sync; leaving a list is not a read receipt.
        phone.sync()
        val reader = readers(rule).single()
        assertEquals(me.personId, reader["person_id"])
        assertEquals(somchai, reader["unit_id"])
        assertEquals("12/345", reader["unit"])
        assertEquals("สมชาย ใจดี", reader["name"])
        assertEquals(emptyList<Map<String, Any?>>(), readers(water))
        assertEquals(0u, unread())
    }

    @Test
    fun the_unread_flow_re_emits_after_a_post_and_a_sync_and_after_the_list_is_left() = runBlocking {
        onboard(unit("12/345"))
        val seen = Channel<List<UnitUnread>>(Channel.UNLIMITED)
        val collecting = launch(Dispatchers.Default) {
            phone.announcements.unreadCounts().collect { seen.send(it) }
        }
        suspend fun next(): List<UnitUnread> = withTimeout(10_000) { seen.receive() }
        assertEquals(listOf(UnitUnread(somchai, 0u)), next())

        server.postAnnouncement(project, "ประชุมใหญ่ 15 ธ.ค.", "general")
        phone.sync()
        var counts = next()
        while (counts.single().unread == 0u) counts = next()
        assertEquals(listOf(UnitUnread(somchai, 1u)), counts)

        phone.announcements.listLeft()
        counts = next()
        while (counts.single().unread == 1u) counts = next()
        assertEquals(listOf(UnitUnread(somchai, 0u)), counts)
        collecting.cancel()
    }

    @Test
    fun the_observed_list_re_emits_when_a_sync_brings_one_and_when_it_is_opened() = runBlocking {
        onboard(unit("12/345"))
        val seen = Channel<List<Announcement>>(Channel.UNLIMITED)
        val collecting = launch(Dispatchers.Default) {
            phone.announcements.observe(somchai).collect { seen.send(it) }
        }
        suspend fun next(): List<Announcement> = withTimeout(10_000) { seen.receive() }
        assertEquals(emptyList<Announcement>(), next())

        val rule = server.postAnnouncement(project, "กฎใหม่ของที่จอดรถ", "acknowledge")
        phone.sync()
        var list = next()
        while (list.isEmpty()) list = next()
        assertEquals(listOf(rule), list.map { it.announcementId })
        assertTrue(list.single().unread)

        phone.announcements.open(rule)
        list = next()
        while (list.single().unread) list = next()
        assertTrue(list.single().opened)
        collecting.cancel()
    }

    @Test
    fun an_attachment_is_what_staff_uploaded_and_shows_with_the_server_stopped() = runBlocking {
        onboard(unit("12/345"))
        val notice = server.postAnnouncement(project, "ประกาศพร้อมเอกสาร", "general")
        val plain = server.postAnnouncement(project, "ประกาศไม่มีเอกสาร", "general")
        val set = server.setAnnouncementAttachment(notice, PDF)
        assertEquals("application/pdf", set["content_type"])
        phone.sync()

        val listed = phone.announcements.list().single { it.announcementId == notice }
        val attachment = listed.attachment ?: error("the synced announcement has no attachment")
        assertEquals("application/pdf", attachment.contentType)
        assertEquals(PDF.size.toULong(), attachment.size)
        assertNull(phone.announcements.list().single { it.announcementId == plain }.attachment)

        assertArrayEquals(PDF, phone.announcements.attachment(notice, somchai))
        assertFailsWithCode(ErrorCode.NOT_FOUND) { phone.announcements.attachment(plain) }
        // Cached: shown with no server.
        server.close()
        assertArrayEquals(PDF, phone.announcements.attachment(notice))
    }

    @Test
    fun opening_an_unknown_announcement_or_one_for_another_unit_is_not_found() = runBlocking {
        onboard(unit("12/345"))
        val theirs = server.postAnnouncement(project, "เฉพาะห้อง B-1203", "acknowledge", listOf(unit("B-1203").unitId))
        phone.sync()
        assertFailsWithCode(ErrorCode.NOT_FOUND) { phone.announcements.open("no-such-announcement") }
        assertFailsWithCode(ErrorCode.NOT_FOUND) { phone.announcements.open(theirs, somchai) }
        assertEquals(0u, unread())
        assertEquals(0u, phone.syncStatusNow.pending)
    }
}
