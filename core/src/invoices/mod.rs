//! Invoices and payment slips (DESIGN.md §2.6), as a resident's phone does them.
//!
//! - **Synced kind:** `invoice` (scope `unit:<id>`), lines and amounts in integer satang;
//!   the status shown is `domain::invoices::status` as of today (`overdue` needs no
//!   server), or *slip submitted* while a payment is queued here.
//! - **Paying** ([`InvoicesClient::pay`]): the slip is shrunk on the phone (`slip.rs`),
//!   and an `invoice_pay` mutation is queued with the bytes kept beside it
//!   (`uploads_local`, the generic upload channel of `files/upload.rs`), in one
//!   transaction; the optimistic effect `invoice_payments_local` shows it queued until
//!   the server answers. Sync uploads the bytes first (resuming where the server
//!   stopped), then pushes the mutation, which the server applies exactly once.

mod client;
mod records;
mod slip;
mod store;

pub use client::InvoicesClient;
pub use slip::{shrink_slip, SLIP_MAX_SIDE};
pub use store::{Invoice, InvoiceLine};

use rusqlite::{params, Transaction};

use crate::capability::{Capability, FileColumn, Queued};
use crate::protocol::Mutation;
use crate::store::SyncedTable;

/// The invoices area.
pub(crate) struct Invoices;

impl Capability for Invoices {
    fn name(&self) -> &'static str {
        "invoices"
    }

    fn synced_tables(&self) -> &'static [SyncedTable] {
        records::TABLES
    }

    fn file_columns(&self) -> &'static [FileColumn] {
        &[FileColumn {
            table: "invoices",
            column: "slip_id",
        }]
    }

    fn local_tables(&self) -> &'static [&'static str] {
        &["invoice_payments_local"]
    }

    fn on_enqueue(&self, tx: &Transaction<'_>, q: &Queued<'_>) -> rusqlite::Result<()> {
        if let Mutation::InvoicePay { invoice_id, .. } = q.mutation {
            tx.execute(
                "INSERT INTO invoice_payments_local (mutation_id, invoice_id, created_at)
                 VALUES (?1, ?2, ?3)",
                params![q.mutation_id, invoice_id, q.now],
            )?;
        }
        Ok(())
    }
}
