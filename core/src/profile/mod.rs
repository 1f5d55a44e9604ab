//! The person's own profile (DESIGN.md §2.1.6): synced down in their `person:` scope,
//! edited through the outbox (`profile_update`), shown with queued edits laid over it.
//!
//! Synced kind: `profile` (table `profile`). Optimistic effect: `profile_edits`, one row
//! per queued edit, deleted when the server applies or refuses it.

mod client;

pub use client::{Profile, ProfileClient};

use rusqlite::{params, CachedStatement, Transaction};

use crate::capability::{Capability, Queued};
use crate::protocol::{EntityKind, Mutation, Record};
use crate::store::{wrong_kind, SyncedTable};

/// The profile area.
pub(crate) struct ProfileArea;

const TABLES: &[SyncedTable] = &[SyncedTable {
    kind: EntityKind::Profile,
    table: "profile",
    columns: &["legal_name", "display_name", "phone", "email"],
    upsert: upsert_profile,
}];

fn upsert_profile(s: &mut CachedStatement<'_>, scope: &str, r: &Record) -> rusqlite::Result<usize> {
    let Record::Profile(p) = r else {
        return Err(wrong_kind("profile"));
    };
    s.execute(params![
        p.id,
        scope,
        p.legal_name,
        p.display_name,
        p.phone,
        p.email
    ])
}

impl Capability for ProfileArea {
    fn name(&self) -> &'static str {
        "profile"
    }

    fn synced_tables(&self) -> &'static [SyncedTable] {
        TABLES
    }

    fn local_tables(&self) -> &'static [&'static str] {
        &["profile_edits"]
    }

    fn on_enqueue(&self, tx: &Transaction<'_>, q: &Queued<'_>) -> rusqlite::Result<()> {
        if let Mutation::ProfileUpdate {
            display_name,
            email,
        } = q.mutation
        {
            tx.execute(
                "INSERT INTO profile_edits(mutation_id, person_id, display_name, email)
                 VALUES (?1, ?2, ?3, ?4)",
                params![q.mutation_id, q.person_id, display_name, email],
            )?;
        }
        Ok(())
    }
}
