//! Parcels (DESIGN.md §2.4): arrival notices synced down in the unit's `unit:` scope.
//!
//! Synced kind: `parcel` (table `parcels`, with no secondary index: see
//! `store/schema.rs`). Listed and filtered offline ([`ParcelsClient`]).
//!
//! Arrival notices: `parcel_notices` holds the ids the app announced. It is neither
//! synced nor an optimistic effect, so a replica reset (a new epoch) leaves it alone and
//! a re-pulled parcel is not announced twice; a wipe drops it with every table. A purged
//! unit's ids stay behind (random ids, nothing personal).
//!
//! Pickup passes ([`pickup`]) are made offline from the sign-in's device key
//! (`auth/device_key.rs`); staff verify them and hand parcels over on the server, and the
//! parcel's custody (`logged_by`, `handover`, `returned`) comes back by sync.
//!
//! Photos: a parcel's record carries its photo's `FileRef` (columns `photo_*`); the
//! bytes are fetched on demand and cached by the generic `files/` area
//! ([`ParcelsClient::photo`]), which the `photo_id` column declaration tells what it may
//! keep.

mod client;
mod pickup;

pub use client::{
    CustodyEvent, CustodyStep, Parcel, ParcelFilter, ParcelPhoto, ParcelStatus, ParcelsClient,
};
pub use pickup::PickupPass;

use rusqlite::{params, CachedStatement};

use crate::capability::{Capability, FileColumn};
use crate::protocol::{EntityKind, Record};
use crate::store::{wrong_kind, SyncedTable};

/// The parcels area.
pub(crate) struct Parcels;

const TABLES: &[SyncedTable] = &[SyncedTable {
    kind: EntityKind::Parcel,
    table: "parcels",
    columns: &[
        "unit_id",
        "recipient",
        "carrier",
        "tracking",
        "status",
        "logged_at",
        "picked_up_at",
        "logged_by",
        "handover_at",
        "handover_method",
        "handover_to",
        "handover_by",
        "returned_at",
        "returned_by",
        "photo_id",
        "photo_content_type",
        "photo_size",
        "photo_sha256",
    ],
    upsert: upsert_parcel,
}];

/// Where parcels name the files the phone may cache (their photos).
const FILE_COLUMNS: &[FileColumn] = &[FileColumn {
    table: "parcels",
    column: "photo_id",
}];

fn upsert_parcel(s: &mut CachedStatement<'_>, scope: &str, r: &Record) -> rusqlite::Result<usize> {
    let Record::Parcel(p) = r else {
        return Err(wrong_kind("parcels"));
    };
    let photo = p.photo.as_ref();
    s.execute(params![
        p.id,
        scope,
        p.unit_id,
        p.recipient,
        p.carrier,
        p.tracking,
        p.status,
        p.logged_at,
        p.picked_up_at,
        p.logged_by,
        p.handover.as_ref().map(|h| h.at),
        p.handover.as_ref().map(|h| &h.method),
        p.handover.as_ref().map(|h| &h.to),
        p.handover.as_ref().map(|h| &h.by),
        p.returned.as_ref().map(|r| r.at),
        p.returned.as_ref().map(|r| &r.by),
        photo.map(|f| &f.id),
        photo.map(|f| &f.content_type),
        photo.map(|f| i64::try_from(f.size).unwrap_or(i64::MAX)),
        photo.map(|f| &f.sha256)
    ])
}

impl Capability for Parcels {
    fn name(&self) -> &'static str {
        "parcels"
    }

    fn synced_tables(&self) -> &'static [SyncedTable] {
        TABLES
    }

    fn file_columns(&self) -> &'static [FileColumn] {
        FILE_COLUMNS
    }
}
