package th.co.lobby

import java.awt.image.BufferedImage
import java.io.ByteArrayOutputStream
import java.time.LocalDate
import java.time.ZoneOffset
import javax.imageio.ImageIO
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.channels.Channel
import kotlinx.coroutines.launch
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withTimeout
import org.junit.Assert.assertEquals
import org.junit.Assert.assertFalse
import org.junit.Assert.assertNull
import org.junit.Assert.assertTrue
import org.junit.Test
import th.co.lobby.core.Invoice
import th.co.lobby.core.InvoiceLine
import th.co.lobby.model.ErrorCode
import th.co.lobby.model.InvoiceStatus
import th.co.lobby.support.PhoneTestCase
import th.co.lobby.support.assertFailsWithCode

/**
 * Invoices and payment slips (DESIGN.md §2.6, issue 10) through the Kotlin wrapper:
 * [phone] is Somchai, owner of 12/345 in the demo registry; staff issue invoices and
 * confirm or reject slips through the server's admin API. Slips are pictures made here
 * (a camera-sized JPEG, a PNG screenshot).
 */
class InvoicesTest : PhoneTestCase() {

    companion object {
        const val TOTAL = 268_050L
        val LINES = listOf("ค่าส่วนกลาง พฤศจิกายน" to 250_000L, "ค่าน้ำประปา" to 18_050L)

        /** A picture of [width] × [height] with enough detail not to compress to nothing, as [format]. */
        fun picture(format: String, width: Int = 2000, height: Int = 1500): ByteArray {
            val img = BufferedImage(width, height, BufferedImage.TYPE_INT_RGB)
            for (y in 0 until height) for (x in 0 until width) {
                val v = ((x * 7 + y * 13) xor (x * y)) and 0xff
                img.setRGB(x, y, (v shl 16) or ((v * 3 and 0xff) shl 8) or 200)
            }
            return ByteArrayOutputStream().also { check(ImageIO.write(img, format, it)) }.toByteArray()
        }
    }

    private val somchai get() = unit("12/345").unitId

    /**
     * A due date [days] from today (UTC, the day the phone and the server count overdue
     * invoices by; negative: past due) and its month as the period — never a fixed date,
     * which a later run would find in the past.
     */
    private fun dueIn(days: Long): Pair<String, String> {
        val due = LocalDate.now(ZoneOffset.UTC).plusDays(days)
        return due.toString().substring(0, 7) to due.toString()
    }

    /** This month's bill, due in 30 days: `(period, due)`. */
    private val current = dueIn(30)

    /** Somchai onboarded; staff issue this month's invoice for 12/345 (due in 30 days) → its id. */
    private suspend fun anInvoice(): String {
        onboard(unit("12/345"))
        val added = server.addInvoice(somchai, current.first, current.second, LINES, TOTAL)
        assertEquals(TOTAL, added["total_satang"])
        return added["invoice_id"] as String
    }

    private suspend fun shown(invoiceId: String): Invoice =
        phone.invoices.list(somchai).single { it.invoiceId == invoiceId }

    @Test
    fun an_issued_invoice_is_listed_after_sync_with_its_thai_lines_exact_total_and_unpaid_and_overdue_with_the_server_stopped() = runBlocking {
        val id = anInvoice()
        // An old bill, due 60 days ago (another month): always overdue.
        val (oldPeriod, oldDue) = dueIn(-60)
        val old = server.addInvoice(somchai, oldPeriod, oldDue, listOf("ค่าส่วนกลาง มกราคม" to 250_000L))["invoice_id"]
        assertEquals(emptyList<Invoice>(), phone.invoices.list())
        phone.sync()
        server.close()
        val list = phone.invoices.list(somchai)
        assertEquals(listOf(id, old), list.map { it.invoiceId })
        val inv = list[0]
        assertEquals(somchai, inv.unitId)
        assertEquals(current.first, inv.period)
        assertEquals(current.second, inv.due)
        assertEquals(LINES.map { (d, a) -> InvoiceLine(d, a) }, inv.lines)
        assertEquals(TOTAL, inv.totalSatang)
        assertEquals(InvoiceStatus.UNPAID, inv.status)
        assertFalse(inv.paymentQueued)
        assertNull(inv.receivedSatang)
        assertNull(inv.rejectReason)
        // Past its due date: overdue, computed on the phone.
        assertEquals(InvoiceStatus.OVERDUE, list[1].status)
        assertEquals(250_000L, list[1].totalSatang)
        assertEquals(list, phone.invoices.list())
    }

    @Test
    fun a_slip_is_queued_until_sync_then_submitted_and_paid_once_staff_confirm_and_paying_again_is_a_conflict() = runBlocking {
        val id = anInvoice()
        phone.sync()
        val paid = phone.invoices.pay(id, picture("jpg"))
        assertEquals(id, paid.invoiceId)
        assertTrue(paid.paymentQueued)
        assertEquals(InvoiceStatus.SLIP_SUBMITTED, paid.status)
        assertEquals(paid, shown(id))
        assertEquals(1u, phone.syncStatusNow.pending)

        val report = phone.sync()
        assertEquals(1uL, report.pushed)
        assertEquals(0u, report.pending)
        var inv = shown(id)
        assertFalse(inv.paymentQueued)
        assertEquals(InvoiceStatus.SLIP_SUBMITTED, inv.status)

        server.confirmInvoice(id, TOTAL)
        phone.sync()
        inv = shown(id)
        assertEquals(InvoiceStatus.PAID, inv.status)
        assertEquals(TOTAL, inv.receivedSatang)
        assertFalse(inv.paymentQueued)
        assertFailsWithCode(ErrorCode.CONFLICT) { phone.invoices.pay(id, picture("jpg")) }
        assertEquals(0u, phone.syncStatusNow.pending)
    }

    @Test
    fun a_rejected_slip_shows_the_reason_and_a_png_screenshot_pays_it_again() = runBlocking {
        val id = anInvoice()
        phone.sync()
        phone.invoices.pay(id, picture("jpg"))
        phone.sync()
        server.rejectInvoice(id, "ยอดเงินในสลิปไม่ตรง")
        phone.sync()
        var inv = shown(id)
        assertEquals(InvoiceStatus.REJECTED, inv.status)
        assertEquals("ยอดเงินในสลิปไม่ตรง", inv.rejectReason)

        inv = phone.invoices.pay(id, picture("png", 1080, 2340))
        assertTrue(inv.paymentQueued)
        assertEquals(InvoiceStatus.SLIP_SUBMITTED, inv.status)
        phone.sync()
        inv = shown(id)
        assertFalse(inv.paymentQueued)
        assertEquals(InvoiceStatus.SLIP_SUBMITTED, inv.status)
    }

    @Test
    fun paying_with_bytes_that_are_not_an_image_is_invalid_input_and_an_unknown_invoice_not_found() = runBlocking {
        val id = anInvoice()
        phone.sync()
        assertFailsWithCode(ErrorCode.INVALID_INPUT) { phone.invoices.pay(id, "not a slip, just text".toByteArray()) }
        assertFailsWithCode(ErrorCode.INVALID_INPUT) { phone.invoices.pay(id, AnnouncementsTest.PDF) }
        assertFailsWithCode(ErrorCode.NOT_FOUND) { phone.invoices.pay("no-such-invoice", picture("jpg", 64, 48)) }
        val inv = shown(id)
        assertEquals(InvoiceStatus.UNPAID, inv.status)
        assertFalse(inv.paymentQueued)
        assertEquals(0u, phone.syncStatusNow.pending)
    }

    @Test
    fun the_observed_invoices_re_emit_when_a_slip_is_queued_and_when_staff_confirm() = runBlocking {
        val id = anInvoice()
        phone.sync()
        val seen = Channel<List<Invoice>>(Channel.UNLIMITED)
        val collecting = launch(Dispatchers.Default) {
            phone.invoices.observe(somchai).collect { seen.send(it) }
        }
        suspend fun next(): List<Invoice> = withTimeout(10_000) { seen.receive() }
        assertEquals(InvoiceStatus.UNPAID, next().single().status)

        phone.invoices.pay(id, picture("jpg", 800, 600))
        var list = next()
        while (!list.single().paymentQueued) list = next()
        assertEquals(InvoiceStatus.SLIP_SUBMITTED, list.single().status)

        phone.sync()
        server.confirmInvoice(id, TOTAL)
        phone.sync()
        list = next()
        while (list.single().status != InvoiceStatus.PAID) list = next()
        assertEquals(TOTAL, list.single().receivedSatang)
        collecting.cancel()
    }
}
