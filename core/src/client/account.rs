//! The signed-in person's units and profile, read from the replica (works offline), and
//! the choice of current unit.

use chrono::Utc;

use super::auth::check_display_name;
use super::{Inner, Lobby};
use crate::domain::contact::normalize_email;
use crate::error::{ErrorCode, LobbyError, Result};
use crate::protocol::Mutation;
use crate::store::{setting_keys, OutboxEntry, UnitSummary};

pub use crate::store::Profile;

/// The result of signing in: who, and the units the first sync brought.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedIn {
    pub person_id: String,
    pub units: Vec<UnitSummary>,
}

impl Lobby {
    /// Every unit the person belongs to, across projects.
    pub fn units(&self) -> Result<Vec<UnitSummary>> {
        self.inner.with_store(|s| s.units())
    }

    /// The unit the app is showing; the first unit when none was chosen.
    pub fn current_unit(&self) -> Result<Option<UnitSummary>> {
        self.inner.ensure_current_unit()?;
        let current = self
            .inner
            .with_store(|s| s.setting(setting_keys::CURRENT_UNIT))?;
        Ok(self
            .units()?
            .into_iter()
            .find(|u| Some(&u.unit_id) == current.as_ref()))
    }

    pub fn set_current_unit(&self, unit_id: &str) -> Result<UnitSummary> {
        let unit = self
            .units()?
            .into_iter()
            .find(|u| u.unit_id == unit_id)
            .ok_or_else(|| {
                LobbyError::new(ErrorCode::NotFound, "you are not a member of that unit")
            })?;
        self.inner
            .with_store(|s| s.set_setting(setting_keys::CURRENT_UNIT, unit_id))?;
        Ok(unit)
    }

    /// The person's profile, with edits still queued laid over it.
    pub fn profile(&self) -> Result<Option<Profile>> {
        self.inner.with_store(|s| s.profile())
    }

    /// Edits the person's own contact fields. Queued (works offline) and shown at once;
    /// the server confirms or refuses on the next sync.
    pub fn update_profile(&self, display_name: Option<&str>, email: Option<&str>) -> Result<()> {
        let person = self.inner.person_id()?.ok_or_else(|| {
            LobbyError::new(ErrorCode::Unauthorized, "not signed in on this device")
        })?;
        if display_name.is_none() && email.is_none() {
            return Err(LobbyError::invalid("nothing to change"));
        }
        let mutation = Mutation::ProfileUpdate {
            display_name: display_name.map(check_display_name).transpose()?,
            email: email.map(normalize_email).transpose()?,
        };
        self.inner
            .with_store_mut(|s| s.enqueue(&person, mutation, Utc::now()))?;
        self.inner.publish_pending()?;
        self.inner.nudge.notify_one();
        Ok(())
    }

    /// Queued and refused changes of the signed-in person, oldest first.
    pub fn outbox(&self) -> Result<Vec<OutboxEntry>> {
        match self.inner.person_id()? {
            Some(p) => self.inner.with_store(|s| s.outbox_entries(&p)),
            None => Ok(Vec::new()),
        }
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
}
