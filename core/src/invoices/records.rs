//! How invoices are kept on the phone (`store/schema.rs`, migration 9): lines as JSON.

use rusqlite::{params, CachedStatement};

use crate::protocol::{EntityKind, Record};
use crate::store::{wrong_kind, SyncedTable};

pub(super) const TABLES: &[SyncedTable] = &[SyncedTable {
    kind: EntityKind::Invoice,
    table: "invoices",
    columns: &[
        "unit_id",
        "period",
        "due",
        "lines",
        "total",
        "state",
        "received",
        "reject_reason",
        "slip_id",
        "slip_content_type",
        "slip_size",
        "slip_sha256",
        "issued_at",
    ],
    upsert: upsert_invoice,
}];

fn upsert_invoice(s: &mut CachedStatement<'_>, scope: &str, r: &Record) -> rusqlite::Result<usize> {
    let Record::Invoice(i) = r else {
        return Err(wrong_kind("invoices"));
    };
    let lines = serde_json::to_string(&i.lines)
        .map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))?;
    let slip = i.slip.as_deref();
    s.execute(params![
        i.id,
        scope,
        i.unit_id,
        i.period,
        i.due.format("%Y-%m-%d").to_string(),
        lines,
        i.total_satang,
        i.state,
        i.received_satang,
        i.reject_reason,
        slip.map(|f| &f.id),
        slip.map(|f| &f.content_type),
        slip.map(|f| i64::try_from(f.size).unwrap_or(i64::MAX)),
        slip.map(|f| &f.sha256),
        i.issued_at
    ])
}
