//! [`UnitsClient`] (`lobby.units()`): the person's units across projects and the current
//! unit (the app's drop-down), read from the local replica: they answer offline.

use std::sync::Arc;

use lobby_core::{Lobby, UnitSummary};

use crate::errors::LobbyError;

/// The unit drop-down. Get it from `LobbyClient.units()`.
#[derive(uniffi::Object)]
pub struct UnitsClient {
    pub(crate) inner: Arc<Lobby>,
}

#[uniffi::export]
impl UnitsClient {
    /// Every unit the person belongs to, across projects.
    pub fn list(&self) -> Result<Vec<UnitSummary>, LobbyError> {
        Ok(self.inner.units().list()?)
    }

    /// The unit the app is showing; the first unit when none was chosen.
    pub fn current(&self) -> Result<Option<UnitSummary>, LobbyError> {
        Ok(self.inner.units().current()?)
    }

    /// Chooses the current unit; `NOT_FOUND` when the person is not a member of it.
    pub fn set_current(&self, unit_id: String) -> Result<UnitSummary, LobbyError> {
        Ok(self.inner.units().set_current(&unit_id)?)
    }
}
