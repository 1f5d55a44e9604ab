//! The person's units across projects and the current unit (the app's drop-down), read
//! from the local replica: they answer offline.

use crate::client::LobbyClient;
use crate::errors::LobbyError;
use crate::records::UnitInfo;

#[uniffi::export]
impl LobbyClient {
    /// Every unit the person belongs to, across projects.
    pub fn units(&self) -> Result<Vec<UnitInfo>, LobbyError> {
        Ok(self
            .inner
            .units()
            .list()?
            .into_iter()
            .map(UnitInfo::from)
            .collect())
    }

    /// The unit the app is showing; the first unit when none was chosen.
    pub fn current_unit(&self) -> Result<Option<UnitInfo>, LobbyError> {
        Ok(self.inner.units().current()?.map(UnitInfo::from))
    }

    /// Chooses the current unit; `NOT_FOUND` when the person is not a member of it.
    pub fn set_current_unit(&self, unit_id: String) -> Result<UnitInfo, LobbyError> {
        Ok(self.inner.units().set_current(&unit_id)?.into())
    }
}
