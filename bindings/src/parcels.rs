//! [`ParcelsClient`] (`lobby.parcels()`): the person's parcels, read from the local
//! replica (they answer offline), filtered by status and recipient; their photos; the
//! pickup pass.

use std::sync::Arc;

use lobby_core::{Lobby, Parcel, ParcelFilter, PickupPass};

use crate::errors::LobbyError;
use crate::sync::TaskHandle;

/// Told of parcels that arrived and were not announced yet (post a notification each).
#[uniffi::export(callback_interface)]
pub trait ParcelArrivalsListener: Send + Sync {
    fn on_arrivals(&self, parcels: Vec<Parcel>);
}

/// The parcels list. Get it from `LobbyClient.parcels()`.
#[derive(uniffi::Object)]
pub struct ParcelsClient {
    pub(crate) inner: Arc<Lobby>,
}

#[uniffi::export(async_runtime = "tokio")]
impl ParcelsClient {
    /// The parcels that match, newest first.
    pub fn list(&self, filter: ParcelFilter) -> Result<Vec<Parcel>, LobbyError> {
        Ok(self.inner.parcels().list(&filter)?)
    }

    /// Waiting parcels not announced yet, oldest first; notify, then `mark_announced`.
    pub fn new_arrivals(&self) -> Result<Vec<Parcel>, LobbyError> {
        Ok(self.inner.parcels().new_arrivals()?)
    }

    /// The app announced these parcels: they never come again as arrivals.
    pub fn mark_announced(&self, parcel_ids: Vec<String>) -> Result<(), LobbyError> {
        Ok(self.inner.parcels().mark_announced(&parcel_ids)?)
    }

    /// Calls `listener` with the new arrivals now if any, then whenever a sync brings
    /// parcels not announced yet; they come again until `mark_announced`. Keep the
    /// handle while you listen.
    pub fn watch_arrivals(
        &self,
        listener: Box<dyn ParcelArrivalsListener>,
    ) -> Result<Arc<TaskHandle>, LobbyError> {
        let task = self
            .inner
            .parcels()
            .watch_arrivals(move |found| listener.on_arrivals(found))?;
        Ok(TaskHandle::new(Some(task)))
    }

    /// A pickup pass for `unit_id` (the current unit when null), made with no network.
    pub fn pickup_pass(&self, unit_id: Option<String>) -> Result<PickupPass, LobbyError> {
        Ok(self.inner.parcels().pickup_pass(unit_id.as_deref())?)
    }

    /// The pass's QR as a PNG.
    pub fn pickup_qr_png(&self, pass: PickupPass) -> Result<Vec<u8>, LobbyError> {
        Ok(self.inner.parcels().pickup_qr_png(&pass)?)
    }

    /// The parcel's photo (JPEG bytes): cached after the first fetch, so it shows
    /// offline; `OFFLINE` when it must be downloaded and cannot be.
    pub async fn photo(&self, parcel_id: String) -> Result<Vec<u8>, LobbyError> {
        Ok(self.inner.parcels().photo(&parcel_id).await?)
    }
}
