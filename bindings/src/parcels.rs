//! [`ParcelsClient`] (`lobby.parcels()`): the person's parcels, read from the local
//! replica (they answer offline), filtered by status and recipient, and their photos.

use std::sync::Arc;

use lobby_core::{Lobby, Parcel, ParcelFilter};

use crate::errors::LobbyError;

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

    /// The parcel's photo (JPEG bytes): cached after the first fetch, so it shows
    /// offline; `OFFLINE` when it must be downloaded and cannot be.
    pub async fn photo(&self, parcel_id: String) -> Result<Vec<u8>, LobbyError> {
        Ok(self.inner.parcels().photo(&parcel_id).await?)
    }
}
