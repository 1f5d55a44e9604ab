//! Parcels (DESIGN.md §2.4): arrival notices synced down in the unit's `unit:` scope.
//!
//! Synced kind: `parcel` (table `parcels`, with no secondary index: see
//! `store/schema.rs`). Listed and filtered offline ([`ParcelsClient`]).
//!
//! Arrival notices: `parcel_notices` holds the ids the app announced. It is neither
//! synced nor an optimistic effect, so a replica reset (a new epoch) leaves it alone and
//! a re-pulled parcel is not announced twice; a wipe drops it with every table. A purged
//! unit's ids stay behind (random ids, nothing personal). The pickup pass and handover
//! are the rest of issue 8 (the pass's rule: `domain::pickup_pass`).
//!
//! Photos: a parcel's record carries its photo's `FileRef` (columns `photo_*`); the
//! bytes are fetched on demand and cached by the generic `files/` area
//! ([`ParcelsClient::photo`]), which the `photo_id` column declaration tells what it may
//! keep.

mod client;

pub use client::{Parcel, ParcelFilter, ParcelPhoto, ParcelStatus, ParcelsClient};

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
