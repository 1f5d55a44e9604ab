//! [`InvoicesClient`]: a unit's invoices from the replica (offline), and paying one with
//! a slip photo: shrunk on the phone, queued with its bytes, uploaded (resumably) and
//! pushed when the server can be reached — shown as queued meanwhile.

use chrono::Utc;
use uuid::Uuid;

use super::slip::shrink_slip;
use super::store::Invoice;
use crate::client::Lobby;
use crate::domain::files::content_digest;
use crate::error::{ErrorCode, LobbyError, Result};
use crate::protocol::Mutation;

/// The invoices area (`lobby.invoices()`).
pub struct InvoicesClient<'a> {
    pub(super) lobby: &'a Lobby,
}

impl Lobby {
    /// The invoices area.
    pub fn invoices(&self) -> InvoicesClient<'_> {
        InvoicesClient { lobby: self }
    }
}

impl InvoicesClient<'_> {
    /// The unit's invoices (the current unit when `None`), newest period first, with
    /// their status as of today.
    pub fn list(&self, unit_id: Option<&str>) -> Result<Vec<Invoice>> {
        let unit = self.lobby.inner.unit_or_current(unit_id)?;
        self.lobby
            .inner
            .with_store(|s| s.invoices(&unit, Utc::now().date_naive()))
    }

    /// Pays the invoice with a photo or screenshot of the transfer slip: shrunk to a
    /// 1600 px JPEG without metadata (`slip.rs`), kept on the phone with the queued
    /// payment, sent when the server can be reached — resumed, not restarted, after a
    /// dropped connection, and never twice. Refused at once for an invoice this phone
    /// does not have (`not_found`), one already paid (`conflict`), or a file that is not
    /// a usable photo (`invalid_input`, `too_large`).
    pub fn pay(&self, invoice_id: &str, image: &[u8]) -> Result<Invoice> {
        let person = self.lobby.inner.require_person()?;
        let (unit_id, state) = self
            .lobby
            .inner
            .with_store(|s| s.invoice_unit_and_state(invoice_id))?
            .ok_or_else(|| LobbyError::new(ErrorCode::NotFound, "no such invoice"))?;
        if state == "paid" {
            return Err(LobbyError::new(
                ErrorCode::Conflict,
                "this invoice is already paid",
            ));
        }
        let slip = shrink_slip(image)?;
        let mutation = Mutation::InvoicePay {
            invoice_id: invoice_id.to_string(),
            upload_id: Uuid::now_v7(),
            size: u32::try_from(slip.len())
                .map_err(|_| LobbyError::internal("the shrunk slip is too large"))?,
            sha256: content_digest(&slip),
        };
        self.lobby.inner.with_store_mut(|s| {
            s.enqueue_with_upload(&person, mutation, Some(&slip), Utc::now())
        })?;
        self.lobby.inner.after_local_write()?;
        self.list(Some(&unit_id))?
            .into_iter()
            .find(|i| i.invoice_id == invoice_id)
            .ok_or_else(|| LobbyError::internal("the paid invoice is missing"))
    }
}
