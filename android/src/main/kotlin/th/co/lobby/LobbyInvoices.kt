package th.co.lobby

import kotlinx.coroutines.flow.Flow
import kotlinx.coroutines.flow.map
import th.co.lobby.core.Invoice
import th.co.lobby.ffi.InvoicesClient

/**
 * Invoices and payment slips (DESIGN.md §2.6): `lobby.invoices`. A unit's invoices are
 * read from the replica, so they answer offline, with their status as of today
 * (`InvoiceStatus.OVERDUE` needs no server). Amounts are integer satang (`Long`).
 * Paying queues the slip like every change: the invoice shows
 * `InvoiceStatus.SLIP_SUBMITTED` with [Invoice.paymentQueued] until a sync sends it,
 * then waits for staff to confirm (`PAID`, [Invoice.receivedSatang]) or reject
 * (`REJECTED`, [Invoice.rejectReason]). [unitId] `null`: the current unit.
 */
class LobbyInvoices internal constructor(
    /** The generated API underneath. */
    val ffi: InvoicesClient,
    private val tableChanges: (List<String>) -> Flow<Unit>,
) {
    /** The unit's invoices, newest period first. */
    suspend fun list(unitId: String? = null): List<Invoice> = io { ffi.list(unitId) }

    /**
     * [list] as a [Flow]: the list at once, then again after every change to the
     * invoices or the payments queued on this phone (a sync brought a new one or a
     * decision, a slip was queued or sent) — what an invoices screen collects.
     */
    fun observe(unitId: String? = null): Flow<List<Invoice>> =
        tableChanges(listOf("invoices", "invoice_payments_local")).map { list(unitId) }

    /**
     * Pays the invoice with a photo or screenshot of the transfer slip (JPEG or PNG
     * bytes): shrunk on the phone (1600 px JPEG, metadata removed), kept with the queued
     * payment and sent with the next sync — offline too. Returns the invoice as shown
     * now. Refused at once with `ErrorCode.NOT_FOUND`, `CONFLICT` (already paid),
     * `INVALID_INPUT` or `TOO_LARGE` (not a usable photo).
     */
    suspend fun pay(invoiceId: String, image: ByteArray): Invoice = io { ffi.pay(invoiceId, image) }
}
