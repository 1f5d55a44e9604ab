//! Privacy rights (DESIGN.md §2.8, issue 11), as the person's phone exercises them.
//!
//! - **Consents** ([`ConsentsClient`]): the documents in force (`policy` records, scope
//!   `policies:platform`) and the person's latest answer to each (`consent` records, the
//!   person's scope). Giving or withdrawing is queued (`consent_set`, works offline) and
//!   shown at once from `consents_local` until the server answers; whom to ask is
//!   `domain::consent::to_ask`, so a new version published asks again by itself.
//! - **Requests** ([`PrivacyClient`]): erasure, correction, objection, filed through the
//!   outbox (`privacy_request_file`, shown from `privacy_requests_local` until the server
//!   answers), synced back as `privacy_request` records with their 30-day deadline, the
//!   status and the office's answer; a refusal (`reauth_required`) stays visible from the
//!   outbox.

mod consents;
mod export;
mod records;
mod requests;

pub use consents::{Consent, ConsentsClient};
pub use requests::{PrivacyClient, PrivacyRequest};

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
        &["consents_local", "privacy_requests_local"]
    }

    fn on_enqueue(&self, tx: &Transaction<'_>, q: &Queued<'_>) -> rusqlite::Result<()> {
        if let Mutation::ConsentSet(a) = q.mutation {
            tx.execute(
                "INSERT INTO consents_local (mutation_id, person_id, kind, version, given, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![q.mutation_id, q.person_id, a.kind, a.version, a.given, q.now],
            )?;
        }
        if let Mutation::PrivacyRequestFile {
            request_id,
            kind,
            detail,
        } = q.mutation
        {
            tx.execute(
                "INSERT INTO privacy_requests_local
                     (mutation_id, request_id, kind, detail, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                params![q.mutation_id, request_id.to_string(), kind, detail, q.now],
            )?;
        }
        Ok(())
    }
}
