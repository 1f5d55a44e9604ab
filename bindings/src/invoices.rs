//! [`InvoicesClient`] (`lobby.invoices()`): a unit's invoices, read from the local
//! replica (they answer offline) with their status as of today; paying one with a slip
//! photo, shrunk on the phone and queued like every change.

use std::sync::Arc;

use lobby_core::{Invoice, Lobby};

use crate::errors::LobbyError;

/// Invoices and payment slips. Get it from `LobbyClient.invoices()`.
#[derive(uniffi::Object)]
pub struct InvoicesClient {
    pub(crate) inner: Arc<Lobby>,
}

#[uniffi::export]
impl InvoicesClient {
    /// The unit's invoices (the current unit when null), newest period first.
    pub fn list(&self, unit_id: Option<String>) -> Result<Vec<Invoice>, LobbyError> {
        Ok(self.inner.invoices().list(unit_id.as_deref())?)
    }

    /// Pays the invoice with a photo or screenshot of the transfer slip (JPEG or PNG):
    /// shrunk on the phone, queued and sent with the next sync (shown `SLIP_SUBMITTED`
    /// with `payment_queued` meanwhile). Refused at once with `NOT_FOUND`, `CONFLICT`
    /// (already paid), `INVALID_INPUT` or `TOO_LARGE` (not a usable photo).
    pub fn pay(&self, invoice_id: String, image: Vec<u8>) -> Result<Invoice, LobbyError> {
        Ok(self.inner.invoices().pay(&invoice_id, &image)?)
    }
}
