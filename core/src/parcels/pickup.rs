//! The pickup pass on the phone (DESIGN.md §2.4; the rule is `domain::pickup_pass`):
//! made entirely offline from the sign-in's device key, the person and the unit, and
//! drawn as a QR by the core's one renderer.
//!
//! The app shows [`PickupPass::payload`] as a QR (or the PNG of
//! [`ParcelsClient::pickup_qr_png`]) and makes a new pass when `valid_until` is near —
//! every 30 s step while the screen is open — so a live phone always shows a live pass.

use chrono::{DateTime, Utc};
use lobby_model::domain::pickup_pass::{make_pass, step_at, PassClaims};
use uuid::Uuid;

use super::ParcelsClient;
use crate::error::{ErrorCode, LobbyError, Result};

/// A pass to show at the counter.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct PickupPass {
    /// The QR text.
    pub payload: String,
    /// The last moment the counter accepts it; make a new one before.
    pub valid_until: DateTime<Utc>,
    pub unit_id: String,
    /// `false` while the server has not yet learnt of this phone's key (it registers at
    /// the first sync after sign-in): the counter would refuse the pass until then.
    pub key_registered: bool,
}

fn uuid(id: &str, what: &str) -> Result<Uuid> {
    Uuid::parse_str(id)
        .map_err(|_| LobbyError::internal(format!("the stored {what} id is not a UUID")))
}

impl ParcelsClient<'_> {
    /// Makes a pickup pass for `unit_id` (the current unit when `None`), with no
    /// network. `unauthorized` without a sign-in (or a key: sign in again), `not_found`
    /// for a unit the person is not a member of.
    pub fn pickup_pass(&self, unit_id: Option<&str>) -> Result<PickupPass> {
        self.pickup_pass_at(unit_id, Utc::now())
    }

    pub(crate) fn pickup_pass_at(
        &self,
        unit_id: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<PickupPass> {
        let inner = &self.lobby.inner;
        let person_id = inner.require_person()?;
        let key = inner.device_key()?.ok_or_else(|| {
            LobbyError::new(
                ErrorCode::Unauthorized,
                "this phone has no device key; sign in again to make a pickup pass",
            )
        })?;
        let unit_id = inner.unit_or_current(unit_id)?;
        if !inner
            .with_store(|s| s.units())?
            .iter()
            .any(|u| u.unit_id == unit_id)
        {
            return Err(LobbyError::new(
                ErrorCode::NotFound,
                "you are not a member of that unit",
            ));
        }
        let claims = PassClaims {
            person_id: uuid(&person_id, "person")?,
            unit_id: uuid(&unit_id, "unit")?,
            key_id: key.key_id,
            step: step_at(now),
        };
        let made = make_pass(&key.signing_key(), &claims);
        let key_registered = !inner.device_key_unregistered(&person_id, &key.key_id.to_string())?;
        Ok(PickupPass {
            payload: made.payload,
            valid_until: made.valid_until,
            unit_id,
            key_registered,
        })
    }

    /// The pass's QR as a PNG (the core's one QR renderer).
    pub fn pickup_qr_png(&self, pass: &PickupPass) -> Result<Vec<u8>> {
        lobby_model::qr::render_png(&pass.payload)
    }
}
