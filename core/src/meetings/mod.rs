//! Meetings and e-voting (DESIGN.md §2.7), as a voter's phone does them.
//!
//! - **Synced kinds:** `meeting` and `agenda_item` (scope `meetings:<project>`: every
//!   member of the project and every proxy holder at its meetings), `meeting_proxy` and
//!   `vote_receipt` (scope `person:<id>`). An item's result arrives with its record when
//!   it closes, never before.
//! - **Votes** ([`MeetingsClient::vote`]) are `vote` mutations, one per unit, queued like
//!   every change: the optimistic effect (`votes_local`) shows the vote as *pending*
//!   until the server answers. The server decides by its clock: a vote that arrives
//!   after the item closed is refused `voting_closed`, leaves the queue, and is listed as
//!   refused (`AgendaItem::refused`) until the person has seen it.
//! - **Receipts:** each accepted vote's receipt (its ballot-log entry's hash) comes back
//!   as a `vote_receipt`; after every pull they are copied into `receipts_kept`, which a
//!   replica reset does not clear — the voter's evidence must not depend on the server
//!   sending it again. [`MeetingsClient::verify_receipts`] checks them and every
//!   published result against the downloaded ballot log with the same domain functions
//!   the server used (`domain::voting::receipts`).
//! - **Listener:** [`MeetingsClient::watch`] re-delivers the meetings whenever a meeting
//!   or an item opens or closes.

mod client;
mod records;
mod store;

pub use client::{
    AgendaItem, ItemVerification, MeetingDetail, MeetingsClient, MyVote, QueuedVote,
    ReceiptsReport, RefusedVote, VoteState,
};
pub use store::{ItemResult, Meeting, VotingUnit};

use rusqlite::{params, Transaction};

use crate::capability::{Capability, Queued};
use crate::device::Device;
use crate::error::Result;
use crate::protocol::Mutation;
use crate::store::SyncedTable;

/// The meetings area.
pub(crate) struct Meetings;

impl Capability for Meetings {
    fn name(&self) -> &'static str {
        "meetings"
    }

    fn synced_tables(&self) -> &'static [SyncedTable] {
        records::TABLES
    }

    fn local_tables(&self) -> &'static [&'static str] {
        &["votes_local"]
    }

    fn on_enqueue(&self, tx: &Transaction<'_>, q: &Queued<'_>) -> rusqlite::Result<()> {
        if let Mutation::Vote {
            item_id,
            unit_id,
            choice,
        } = q.mutation
        {
            tx.execute(
                "INSERT INTO votes_local (mutation_id, person_id, item_id, unit_id, choice, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![q.mutation_id, q.person_id, item_id, unit_id, choice, q.now],
            )?;
        }
        Ok(())
    }

    /// Keeps every receipt the pull brought, beyond the reach of a replica reset.
    fn after_pull(&self, device: &Device) -> Result<()> {
        device.with_store(|s| s.keep_receipts())
    }
}
