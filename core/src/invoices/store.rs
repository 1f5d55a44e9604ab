//! The replica's invoices for one unit, with payments queued on this phone.

use chrono::{DateTime, NaiveDate, Utc};

use crate::domain::invoices::{status, InvoiceStatus, PaymentState};
use crate::protocol::InvoiceLineRecord;
use crate::store::{Result, Store};

/// One line of an invoice.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct InvoiceLine {
    pub description: String,
    pub amount_satang: i64,
}

/// An invoice as the list shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Invoice {
    pub invoice_id: String,
    pub unit_id: String,
    /// `YYYY-MM`.
    pub period: String,
    /// `YYYY-MM-DD`.
    pub due: String,
    pub lines: Vec<InvoiceLine>,
    pub total_satang: i64,
    /// As of today: `overdue` is computed from the due date.
    pub status: InvoiceStatus,
    pub received_satang: Option<i64>,
    /// Why staff rejected the last slip.
    pub reject_reason: Option<String>,
    /// A slip is queued on this phone (offline, or not sent yet).
    pub payment_queued: bool,
    pub issued_at: DateTime<Utc>,
}

impl Store {
    /// The unit's invoices, newest period first.
    pub fn invoices(&self, unit_id: &str, today: NaiveDate) -> Result<Vec<Invoice>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT i.id, i.unit_id, i.period, i.due, i.lines, i.total, i.state, i.received,
                    i.reject_reason, i.issued_at,
                    EXISTS (SELECT 1 FROM invoice_payments_local p WHERE p.invoice_id = i.id)
             FROM invoices i WHERE i.unit_id = ?1 ORDER BY i.period DESC, i.id",
        )?;
        let rows = stmt.query_map([unit_id], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, i64>(5)?,
                r.get::<_, String>(6)?,
                r.get::<_, Option<i64>>(7)?,
                r.get::<_, Option<String>>(8)?,
                r.get::<_, DateTime<Utc>>(9)?,
                r.get::<_, bool>(10)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (id, unit, period, due, lines, total, state, received, reason, issued, queued) =
                row?;
            let (Ok(due_day), Ok(state)) = (
                NaiveDate::parse_from_str(&due, "%Y-%m-%d"),
                PaymentState::parse(&state),
            ) else {
                continue;
            };
            let lines: Vec<InvoiceLineRecord> = serde_json::from_str(&lines).unwrap_or_default();
            let shown = if queued && state != PaymentState::Paid {
                InvoiceStatus::SlipSubmitted
            } else {
                status(state, due_day, today)
            };
            out.push(Invoice {
                invoice_id: id,
                unit_id: unit,
                period,
                due,
                lines: lines
                    .into_iter()
                    .map(|l| InvoiceLine {
                        description: l.description,
                        amount_satang: l.amount_satang,
                    })
                    .collect(),
                total_satang: total,
                status: shown,
                received_satang: received,
                reject_reason: reason,
                payment_queued: queued,
                issued_at: issued,
            });
        }
        Ok(out)
    }

    /// The invoice's unit and stored payment state, if this phone has it.
    pub fn invoice_unit_and_state(&self, invoice_id: &str) -> Result<Option<(String, String)>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT unit_id, state FROM invoices WHERE id = ?1")?;
        let mut rows = stmt.query([invoice_id])?;
        Ok(match rows.next()? {
            Some(r) => Some((r.get(0)?, r.get(1)?)),
            None => None,
        })
    }
}
