//! [`UnitsClient`]: the unit drop-down, read from the replica (works offline), and the
//! choice of current unit.

use crate::client::{Inner, Lobby};
use crate::error::{ErrorCode, LobbyError, Result};
use crate::store::setting_keys;

use super::UnitSummary;

/// The person's units (`lobby.units()`).
pub struct UnitsClient<'a> {
    pub(crate) lobby: &'a Lobby,
}

impl Lobby {
    /// The units area: the drop-down and the current unit.
    pub fn units(&self) -> UnitsClient<'_> {
        UnitsClient { lobby: self }
    }
}

impl UnitsClient<'_> {
    /// Every unit the person belongs to, across projects.
    pub fn list(&self) -> Result<Vec<UnitSummary>> {
        self.lobby.inner.with_store(|s| s.units())
    }

    /// The unit the app is showing; the first unit when none was chosen.
    pub fn current(&self) -> Result<Option<UnitSummary>> {
        let inner = &self.lobby.inner;
        inner.ensure_current_unit()?;
        let current = inner.with_store(|s| s.setting(setting_keys::CURRENT_UNIT))?;
        Ok(self
            .list()?
            .into_iter()
            .find(|u| Some(&u.unit_id) == current.as_ref()))
    }

    /// Chooses the unit the app shows (`not_found` unless the person belongs to it).
    pub fn set_current(&self, unit_id: &str) -> Result<UnitSummary> {
        let unit = self
            .list()?
            .into_iter()
            .find(|u| u.unit_id == unit_id)
            .ok_or_else(|| {
                LobbyError::new(ErrorCode::NotFound, "you are not a member of that unit")
            })?;
        self.lobby
            .inner
            .with_store(|s| s.set_setting(setting_keys::CURRENT_UNIT, unit_id))?;
        Ok(unit)
    }
}

impl Inner {
    /// Keeps the current unit valid: the first unit when unset or no longer a member.
    pub(crate) fn ensure_current_unit(&self) -> Result<()> {
        self.with_store(|s| {
            let units = s.units()?;
            let current = s.setting(setting_keys::CURRENT_UNIT)?;
            let valid = current
                .as_ref()
                .is_some_and(|c| units.iter().any(|u| &u.unit_id == c));
            if !valid {
                match units.first() {
                    Some(u) => s.set_setting(setting_keys::CURRENT_UNIT, &u.unit_id)?,
                    None => s.clear_setting(setting_keys::CURRENT_UNIT)?,
                }
            }
            Ok(())
        })
    }

    /// `unit_id`, or the current unit when `None` (`no_current_unit` if there is none).
    pub(crate) fn unit_or_current(&self, unit_id: Option<&str>) -> Result<String> {
        if let Some(u) = unit_id {
            return Ok(u.to_string());
        }
        self.ensure_current_unit()?;
        self.with_store(|s| s.setting(setting_keys::CURRENT_UNIT))?
            .ok_or_else(|| {
                LobbyError::new(ErrorCode::NoCurrentUnit, "this device has no current unit")
            })
    }
}
