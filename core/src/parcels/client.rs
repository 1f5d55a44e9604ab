//! [`ParcelsClient`]: the person's parcels, read from the replica (works offline),
//! filtered by status and recipient (DESIGN.md §2.4), and their photos (fetched once,
//! then shown offline).

use chrono::{DateTime, Utc};
use rusqlite::params;

use crate::client::{Inner, Lobby};
use crate::error::{ErrorCode, LobbyError, Result};
use crate::protocol::FileRef;
use crate::store::Store;

/// Where a parcel is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum ParcelStatus {
    /// At the juristic office, waiting for pickup.
    Waiting,
    PickedUp,
    /// Sent back to the carrier.
    Returned,
}

impl ParcelStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ParcelStatus::Waiting => "waiting",
            ParcelStatus::PickedUp => "picked_up",
            ParcelStatus::Returned => "returned",
        }
    }

    /// `invalid_input` for anything but `waiting`, `picked_up`, `returned`.
    pub fn parse(s: &str) -> Result<ParcelStatus> {
        match s {
            "waiting" => Ok(ParcelStatus::Waiting),
            "picked_up" => Ok(ParcelStatus::PickedUp),
            "returned" => Ok(ParcelStatus::Returned),
            _ => Err(LobbyError::invalid(
                "a parcel status is waiting, picked_up or returned",
            )),
        }
    }
}

/// One parcel as the phone shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Parcel {
    pub parcel_id: String,
    pub unit_id: String,
    pub recipient: String,
    pub carrier: String,
    pub tracking: Option<String>,
    pub status: ParcelStatus,
    pub logged_at: DateTime<Utc>,
    pub picked_up_at: Option<DateTime<Utc>>,
    /// Where the parcel has been, oldest first: logged (by whom), then handed over (to
    /// whom, by whom, how) or returned to the carrier (by whom).
    pub timeline: Vec<CustodyEvent>,
    /// The photo staff took, if any ([`ParcelsClient::photo`] fetches it).
    pub photo: Option<ParcelPhoto>,
}

/// What a list needs to know of a parcel's photo before fetching it (a placeholder).
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct ParcelPhoto {
    pub file_id: String,
    /// `image/jpeg`.
    pub content_type: String,
    /// Bytes.
    pub size: u64,
    /// Already on the phone: [`ParcelsClient::photo`] answers without the network.
    pub cached: bool,
}

/// One step of a parcel's custody.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum CustodyStep {
    Logged,
    HandedOver,
    Returned,
}

/// A step of a parcel's custody: when, which staff member, and for a handover to whom
/// and how (`qr` or `signature`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct CustodyEvent {
    pub step: CustodyStep,
    pub at: DateTime<Utc>,
    /// The staff member's name (absent for parcels logged before custody was kept).
    pub staff: Option<String>,
    /// Who collected it (handover only).
    pub collected_by: Option<String>,
    /// `qr` or `signature` (handover only).
    pub method: Option<String>,
}

/// What to list: every parcel of every unit the person sees when both are `None`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct ParcelFilter {
    pub status: Option<ParcelStatus>,
    /// Part of the recipient's name, as typed (Thai or Latin; Latin ignores case).
    pub recipient: Option<String>,
}

/// The parcels area (`lobby.parcels()`).
pub struct ParcelsClient<'a> {
    pub(super) lobby: &'a Lobby,
}

impl Lobby {
    /// The parcels area.
    pub fn parcels(&self) -> ParcelsClient<'_> {
        ParcelsClient { lobby: self }
    }
}

impl ParcelsClient<'_> {
    /// The parcels that match, newest first. Offline: what the last sync brought.
    pub fn list(&self, filter: &ParcelFilter) -> Result<Vec<Parcel>> {
        let filter = filter.clone();
        self.lobby
            .inner
            .with_store(move |s| s.parcels(&filter, false))
    }

    /// Waiting parcels the app has not announced yet, oldest first. Show a notification
    /// for each (keyed by its id), then pass their ids to
    /// [`ParcelsClient::mark_announced`]. Until then they come again — after a crash
    /// too; once marked, never again: not after a restart, not after a re-sync.
    pub fn new_arrivals(&self) -> Result<Vec<Parcel>> {
        arrivals(&self.lobby.inner)
    }

    /// Calls `deliver` with the new arrivals now if there are any, then each time a
    /// committed change to the parcels leaves some unannounced (after a sync brought
    /// one) — the listener behind a notification. Delivered parcels come again until
    /// [`ParcelsClient::mark_announced`], like [`ParcelsClient::new_arrivals`]. Abort
    /// the returned task to stop; it also ends when the core closes.
    pub fn watch_arrivals<F>(&self, deliver: F) -> Result<tokio::task::JoinHandle<()>>
    where
        F: Fn(Vec<Parcel>) + Send + Sync + 'static,
    {
        let inner = self.lobby.inner.clone();
        self.lobby
            .watch_tables(&["parcels"], move || match arrivals(&inner) {
                Ok(found) if !found.is_empty() => deliver(found),
                Ok(_) => {}
                Err(e) => tracing::warn!(code = %e.code, "new parcel arrivals could not be read"),
            })
    }

    /// The parcel's photo (JPEG bytes): from the phone's cache when it was fetched
    /// before — offline too — otherwise downloaded, checked against the digest its record
    /// names, and cached. `not_found` for a parcel this phone does not have or one
    /// without a photo; `offline` when it must be downloaded and cannot be.
    pub async fn photo(&self, parcel_id: &str) -> Result<Vec<u8>> {
        let id = parcel_id.to_string();
        let file = self
            .lobby
            .inner
            .with_store(move |s| s.parcel_photo(&id))?
            .ok_or_else(|| LobbyError::new(ErrorCode::NotFound, "no such parcel"))?
            .ok_or_else(|| LobbyError::new(ErrorCode::NotFound, "this parcel has no photo"))?;
        let inner = self.lobby.inner.clone();
        self.lobby
            .spawn(async move { inner.file(&file).await })
            .await
    }

    /// Records that the app announced these parcels (ids it does not know are kept too:
    /// the notice may have come before a reset).
    pub fn mark_announced(&self, parcel_ids: &[String]) -> Result<()> {
        let ids = parcel_ids.to_vec();
        self.lobby
            .inner
            .with_store(move |s| s.mark_parcels_announced(&ids, Utc::now()))
    }
}

/// Waiting parcels not announced yet, oldest first.
fn arrivals(inner: &Inner) -> Result<Vec<Parcel>> {
    let waiting = ParcelFilter {
        status: Some(ParcelStatus::Waiting),
        recipient: None,
    };
    let mut found = inner.with_store(move |s| s.parcels(&waiting, true))?;
    found.reverse();
    Ok(found)
}

/// The custody columns of a `parcels` row (8..=14) as a timeline.
fn timeline(r: &rusqlite::Row<'_>) -> rusqlite::Result<Vec<CustodyEvent>> {
    let mut events = vec![CustodyEvent {
        step: CustodyStep::Logged,
        at: r.get(6)?,
        staff: r.get(8)?,
        collected_by: None,
        method: None,
    }];
    if let Some(at) = r.get::<_, Option<DateTime<Utc>>>(9)? {
        events.push(CustodyEvent {
            step: CustodyStep::HandedOver,
            at,
            staff: r.get(12)?,
            collected_by: r.get(11)?,
            method: r.get(10)?,
        });
    }
    if let Some(at) = r.get::<_, Option<DateTime<Utc>>>(13)? {
        events.push(CustodyEvent {
            step: CustodyStep::Returned,
            at,
            staff: r.get(14)?,
            collected_by: None,
            method: None,
        });
    }
    Ok(events)
}

impl Store {
    /// `None`: no such parcel; `Some(None)`: it has no photo.
    fn parcel_photo(&self, parcel_id: &str) -> crate::store::Result<Option<Option<FileRef>>> {
        use rusqlite::OptionalExtension;
        Ok(self
            .conn
            .query_row(
                "SELECT photo_id, photo_content_type, photo_size, photo_sha256
                 FROM parcels WHERE id = ?1",
                [parcel_id],
                |r| {
                    Ok(match r.get::<_, Option<String>>(0)? {
                        Some(id) => Some(FileRef {
                            id,
                            content_type: r.get::<_, Option<String>>(1)?.unwrap_or_default(),
                            size: u64::try_from(r.get::<_, Option<i64>>(2)?.unwrap_or(0))
                                .unwrap_or(0),
                            sha256: r.get::<_, Option<String>>(3)?.unwrap_or_default(),
                        }),
                        None => None,
                    })
                },
            )
            .optional()?)
    }

    fn mark_parcels_announced(
        &self,
        ids: &[String],
        now: DateTime<Utc>,
    ) -> crate::store::Result<()> {
        let tx = self.conn.unchecked_transaction()?;
        {
            let mut stmt = tx.prepare_cached(
                "INSERT OR IGNORE INTO parcel_notices (parcel_id, notified_at) VALUES (?1, ?2)",
            )?;
            for id in ids {
                stmt.execute(params![id, now])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// The parcels that match, newest first; with `unannounced`, only those the app has
    /// not announced (`parcel_notices`).
    fn parcels(
        &self,
        filter: &ParcelFilter,
        unannounced: bool,
    ) -> crate::store::Result<Vec<Parcel>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, unit_id, recipient, carrier, tracking, status, logged_at, picked_up_at,
                    logged_by, handover_at, handover_method, handover_to, handover_by,
                    returned_at, returned_by,
                    photo_id, photo_content_type, photo_size,
                    EXISTS (SELECT 1 FROM file_cache c WHERE c.file_id = parcels.photo_id)
             FROM parcels
             WHERE (?1 IS NULL OR status = ?1)
               AND (?2 = 0 OR NOT EXISTS (SELECT 1 FROM parcel_notices n WHERE n.parcel_id = parcels.id))
             ORDER BY logged_at DESC, id DESC",
        )?;
        let status = filter.status.map(ParcelStatus::as_str);
        let rows = stmt.query_map(params![status, unannounced], |r| {
            Ok((
                Parcel {
                    parcel_id: r.get(0)?,
                    unit_id: r.get(1)?,
                    recipient: r.get(2)?,
                    carrier: r.get(3)?,
                    tracking: r.get(4)?,
                    status: ParcelStatus::Waiting,
                    logged_at: r.get(6)?,
                    picked_up_at: r.get(7)?,
                    timeline: timeline(r)?,
                    photo: match r.get::<_, Option<String>>(15)? {
                        Some(file_id) => Some(ParcelPhoto {
                            file_id,
                            content_type: r.get::<_, Option<String>>(16)?.unwrap_or_default(),
                            size: u64::try_from(r.get::<_, Option<i64>>(17)?.unwrap_or(0))
                                .unwrap_or(0),
                            cached: r.get(18)?,
                        }),
                        None => None,
                    },
                },
                r.get::<_, String>(5)?,
            ))
        })?;
        let needle = filter
            .recipient
            .as_deref()
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .map(str::to_lowercase);
        let mut out = Vec::new();
        for row in rows {
            let (mut parcel, status) = row?;
            // A status this build does not know is shown as waiting rather than hidden.
            parcel.status = ParcelStatus::parse(&status).unwrap_or(ParcelStatus::Waiting);
            if let Some(n) = &needle {
                if !parcel.recipient.to_lowercase().contains(n.as_str()) {
                    continue;
                }
            }
            out.push(parcel);
        }
        Ok(out)
    }
}
