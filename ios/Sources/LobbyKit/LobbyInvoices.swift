import Foundation

/// Invoices and payment slips (DESIGN.md §2.6): `lobby.invoices`. A unit's invoices are
/// read from the replica, so they answer offline, with their status as of today
/// (`.overdue` needs no server). Amounts are integer satang (`Int64`). Paying queues the
/// slip like every change: the invoice shows `.slipSubmitted` with `paymentQueued` until
/// a sync sends it, then waits for staff to confirm (`.paid`, `receivedSatang`) or reject
/// (`.rejected`, `rejectReason`). `unitId` nil: the current unit.
public final class LobbyInvoices: Sendable {
    /// The generated API underneath.
    public let ffi: InvoicesClient

    init(_ ffi: InvoicesClient) {
        self.ffi = ffi
    }

    /// The unit's invoices, newest period first.
    public func list(unitId: String? = nil) throws -> [Invoice] {
        try ffi.list(unitId: unitId)
    }

    /// `list` as a stream: the list at once, then again after every change to the
    /// invoices or the payments queued on this phone (a sync brought a new one or a
    /// decision, a slip was queued or sent) — what an invoices screen reads.
    public func observe(unitId: String? = nil, in lobby: Lobby) -> AsyncStream<[Invoice]> {
        let ffi = ffi
        return lobby.observe(["invoices", "invoice_payments_local"]) {
            try ffi.list(unitId: unitId)
        }
    }

    /// Pays the invoice with a photo or screenshot of the transfer slip (JPEG or PNG):
    /// shrunk on the phone (1600 px JPEG, metadata removed), kept with the queued payment
    /// and sent with the next sync — offline too. Returns the invoice as shown now.
    /// Refused at once with `ErrorCode.notFound`, `.conflict` (already paid),
    /// `.invalidInput` or `.tooLarge` (not a usable photo).
    @discardableResult
    public func pay(_ invoiceId: String, image: Data) throws -> Invoice {
        try ffi.pay(invoiceId: invoiceId, image: image)
    }
}
