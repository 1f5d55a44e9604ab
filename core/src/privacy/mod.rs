//! Privacy rights (DESIGN.md §2.8, issue 11), as the person's phone exercises them.
//!
//! - **Consents** ([`ConsentsClient`]): the documents in force (`policy` records, scope
//!   `policies:platform`) and the person's latest answer to each (`consent` records, the
//!   person's scope). Giving or withdrawing is queued (`consent_set`, works offline) and
//!   shown at once from `consents_local` until the server answers; whom to ask is
//!   `domain::consent::to_ask`, so a new version published asks again by itself.

mod consents;
mod records;

pub use consents::{Consent, ConsentsClient};

use rusqlite::{params, Transaction};

use crate::capability::{Capability, Queued};
use crate::protocol::Mutation;
use crate::store::SyncedTable;

/// The privacy area.
pub(crate) struct Privacy;

impl Capability for Privacy {
    fn name(&self) -> &'static str {
        "privacy"
    }

    fn synced_tables(&self) -> &'static [SyncedTable] {
        records::TABLES
    }

    fn local_tables(&self) -> &'static [&'static str] {
        &["consents_local"]
    }

    fn on_enqueue(&self, tx: &Transaction<'_>, q: &Queued<'_>) -> rusqlite::Result<()> {
        if let Mutation::ConsentSet {
            kind,
            version,
            given,
        } = q.mutation
        {
            tx.execute(
                "INSERT INTO consents_local (mutation_id, person_id, kind, version, given, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![q.mutation_id, q.person_id, kind, version, given, q.now],
            )?;
        }
        Ok(())
    }
}
