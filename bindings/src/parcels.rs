//! [`ParcelsClient`] (`lobby.parcels()`): the person's parcels, read from the local
//! replica (they answer offline), filtered by status and recipient; the pickup pass.

use std::sync::Arc;

use lobby_core::{Lobby, Parcel, ParcelFilter, PickupPass};

use crate::errors::LobbyError;

/// The parcels list. Get it from `LobbyClient.parcels()`.
#[derive(uniffi::Object)]
pub struct ParcelsClient {
    pub(crate) inner: Arc<Lobby>,
}

#[uniffi::export]
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

    /// A pickup pass for `unit_id` (the current unit when null), made with no network.
    pub fn pickup_pass(&self, unit_id: Option<String>) -> Result<PickupPass, LobbyError> {
        Ok(self.inner.parcels().pickup_pass(unit_id.as_deref())?)
    }

    /// The pass's QR as a PNG.
    pub fn pickup_qr_png(&self, pass: PickupPass) -> Result<Vec<u8>, LobbyError> {
        Ok(self.inner.parcels().pickup_qr_png(&pass)?)
    }
}
