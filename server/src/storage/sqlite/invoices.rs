//! Invoices on SQLite (`invoices`, `invoice_lines`), read back with the slip described
//! from `files`.

use chrono::NaiveDate;
use lobby_model::protocol::{FileRef, InvoiceLineRecord, InvoiceRecord};
use rusqlite::{params, OptionalExtension};

use super::{from_ms, inserted, ms, Cached, SqliteTx};
use crate::error::{AppError, AppResult};
use crate::storage::{Inserted, InvoiceDecision, InvoicesTx, NewInvoice};

fn day(s: &str) -> rusqlite::Result<NaiveDate> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, Box::new(e))
    })
}

impl InvoicesTx for SqliteTx<'_> {
    fn insert_invoice(&mut self, inv: &NewInvoice) -> AppResult<Inserted> {
        let done = inserted(self.tx.execute_cached(
            "INSERT INTO invoices (id, unit_id, period, due, total, issued_by, issued_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                inv.id,
                inv.unit_id,
                inv.period,
                inv.due.format("%Y-%m-%d").to_string(),
                inv.total,
                inv.issued_by,
                ms(inv.issued_at)
            ],
        ))?;
        if done == Inserted::Duplicate {
            return Ok(done);
        }
        for (i, l) in inv.lines.iter().enumerate() {
            self.tx.execute_cached(
                "INSERT INTO invoice_lines (invoice_id, position, description, amount)
                 VALUES (?1, ?2, ?3, ?4)",
                params![inv.id, i as i64 + 1, l.description, l.amount_satang],
            )?;
        }
        Ok(Inserted::Yes)
    }

    fn invoice(&mut self, invoice_id: &str) -> AppResult<Option<InvoiceRecord>> {
        let found = self
            .tx
            .query_row_cached(
                "SELECT i.id, i.unit_id, i.period, i.due, i.total, i.state, i.received,
                        i.reject_reason, i.issued_at, f.id, f.content_type, f.size, f.sha256
                 FROM invoices i LEFT JOIN files f ON f.id = i.slip_file_id
                 WHERE i.id = ?1",
                [invoice_id],
                |r| {
                    let slip = match r.get::<_, Option<String>>(9)? {
                        Some(id) => Some(Box::new(FileRef {
                            id,
                            content_type: r.get(10)?,
                            size: r.get::<_, i64>(11)?.max(0) as u64,
                            sha256: r.get(12)?,
                        })),
                        None => None,
                    };
                    Ok(InvoiceRecord {
                        id: r.get(0)?,
                        unit_id: r.get(1)?,
                        period: r.get(2)?,
                        due: day(&r.get::<_, String>(3)?)?,
                        lines: Vec::new(),
                        total_satang: r.get(4)?,
                        state: r.get(5)?,
                        received_satang: r.get(6)?,
                        reject_reason: r.get(7)?,
                        slip,
                        issued_at: from_ms(r.get(8)?),
                    })
                },
            )
            .optional()?;
        let Some(mut inv) = found else {
            return Ok(None);
        };
        let mut stmt = self.tx.prepare_cached(
            "SELECT description, amount FROM invoice_lines WHERE invoice_id = ?1 ORDER BY position",
        )?;
        inv.lines = stmt
            .query_map([invoice_id], |r| {
                Ok(InvoiceLineRecord {
                    description: r.get(0)?,
                    amount_satang: r.get(1)?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(Some(inv))
    }

    fn decide_invoice(&mut self, invoice_id: &str, d: &InvoiceDecision<'_>) -> AppResult<bool> {
        let state: Option<String> = self
            .tx
            .query_row_cached(
                "SELECT state FROM invoices WHERE id = ?1",
                [invoice_id],
                |r| r.get(0),
            )
            .optional()?;
        let Some(state) = state.filter(|s| d.from.contains(&s.as_str())) else {
            return Ok(false);
        };
        let changed = self.tx.execute_cached(
            "UPDATE invoices SET state = ?2, received = ?3, reject_reason = ?4,
                 slip_file_id = COALESCE(?5, slip_file_id), decided_by = ?6, decided_at = ?7
             WHERE id = ?1 AND state = ?8",
            params![
                invoice_id,
                d.to,
                d.received,
                d.reject_reason,
                d.slip_file_id,
                d.by,
                ms(d.at),
                state
            ],
        )?;
        if changed != 1 {
            return Err(AppError::server("invoice", "changed under the decision"));
        }
        Ok(true)
    }

    fn unit_invoice_states(
        &mut self,
        unit_id: &str,
    ) -> AppResult<Vec<(String, String, NaiveDate, i64)>> {
        let mut stmt = self.tx.prepare_cached(
            "SELECT period, state, due, total FROM invoices WHERE unit_id = ?1 ORDER BY period",
        )?;
        let rows = stmt.query_map([unit_id], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                day(&r.get::<_, String>(2)?)?,
                r.get::<_, i64>(3)?,
            ))
        })?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }
}
