//! Invoices (DESIGN.md §2.6, issue 10): staff bill units — one invoice per unit and
//! period, lines in whole satang whose sum is the total (`domain::invoices`, checked
//! here again whatever the client sent) — one at a time or a month's CSV for the whole
//! project (all or nothing, every bad row with its line). They confirm a payment (with
//! the amount received) or reject a slip (with a reason). Each change logs the invoice
//! again in its unit's `unit:` scope.
//!
//! **Arrears.** A unit's months in arrears are `domain::invoices::months_in_arrears` of
//! its invoices: every change of an invoice recomputes the unit's flag (and logs the unit
//! again when it moved), and opening a meeting computes it afresh as of that moment
//! (months fall due without any event), so the voting eligibility follows the bills. For
//! a unit with no invoice in Lobby the flag staff set by hand (`arrears.rs`) stands.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use lobby_model::domain::csv_file::{import_error, RowProblem};
use lobby_model::domain::files::{check_photo, JPEG};
use lobby_model::domain::invoices::{
    check_line, check_total, months_in_arrears, parse_due, parse_import, parse_period, total,
    PaymentState, MAX_LINES,
};
use lobby_model::domain::name::check_name;
use lobby_model::protocol::{
    ImportedInvoiceSummary, InvoiceAdd, InvoiceLineRecord, Outstanding, OutstandingUnit, Record,
};
use lobby_model::scope;

use crate::change_log::records;
use crate::error::{AppError, AppResult};
use crate::files::{store_file, Upload};
use crate::ids::new_id;
use crate::storage::{Inserted, InvoiceDecision, NewInvoice, StaffMember, Storage, Tx};

/// Longest reason for a rejected slip (characters).
pub const MAX_REASON_CHARS: usize = 500;

fn no_such_invoice() -> AppError {
    AppError::not_found("no such invoice")
}

fn already_billed(unit: &str, period: &str) -> AppError {
    AppError::new(
        lobby_model::ErrorCode::Conflict,
        format!("unit {unit} already has an invoice for {period}"),
    )
}

/// The unit's months in arrears on `today`, from its invoices.
pub(crate) fn arrears_of(
    tx: &mut dyn Tx,
    unit_id: &str,
    today: NaiveDate,
) -> AppResult<Option<u32>> {
    let invoices = tx.unit_invoice_states(unit_id)?;
    if invoices.is_empty() {
        return Ok(None);
    }
    let states: Vec<(String, PaymentState, NaiveDate)> = invoices
        .into_iter()
        .map(|(period, state, due, _)| Ok((period, PaymentState::parse(&state)?, due)))
        .collect::<AppResult<_>>()?;
    Ok(Some(months_in_arrears(
        states.iter().map(|(p, s, d)| (p.as_str(), *s, *d)),
        today,
    )))
}

/// Recomputes the unit's arrears flag from its invoices; logs the unit when it moved.
fn refresh_arrears(tx: &mut dyn Tx, unit_id: &str, now: DateTime<Utc>) -> AppResult<()> {
    let Some(months) = arrears_of(tx, unit_id, now.date_naive())? else {
        return Ok(());
    };
    let unit = tx.unit(unit_id)?.ok_or_else(no_such_invoice)?;
    if unit.record.arrears_months != months {
        tx.set_unit_arrears(unit_id, months)?;
        if let Some(u) = tx.unit(unit_id)? {
            records::unit_created(tx, &u.record, now)?;
        }
    }
    Ok(())
}

/// Logs the invoice in its unit's scope.
fn log(tx: &mut dyn Tx, invoice_id: &str, now: DateTime<Utc>) -> AppResult<()> {
    let inv = tx.invoice(invoice_id)?.ok_or_else(no_such_invoice)?;
    let unit_id = inv.unit_id.clone();
    tx.append_change(&scope::unit(&unit_id), &Record::Invoice(inv), now)?;
    refresh_arrears(tx, &unit_id, now)
}

fn checked_lines(lines: &[InvoiceLineRecord]) -> AppResult<Vec<InvoiceLineRecord>> {
    if lines.is_empty() || lines.len() > MAX_LINES {
        return Err(AppError::invalid(format!(
            "an invoice has 1 to {MAX_LINES} lines"
        )));
    }
    lines
        .iter()
        .map(|l| {
            let c = check_line(&l.description, l.amount_satang)?;
            Ok(InvoiceLineRecord {
                description: c.description,
                amount_satang: c.amount_satang,
            })
        })
        .collect()
}

fn domain_lines(lines: &[InvoiceLineRecord]) -> Vec<lobby_model::domain::invoices::InvoiceLine> {
    lines
        .iter()
        .map(|l| lobby_model::domain::invoices::InvoiceLine {
            description: l.description.clone(),
            amount_satang: l.amount_satang,
        })
        .collect()
}

/// Issues one invoice; its id and total.
pub fn add(
    db: &dyn Storage,
    staff: &StaffMember,
    req: &InvoiceAdd,
    now: DateTime<Utc>,
) -> AppResult<(String, i64)> {
    let period = parse_period(&req.period)?;
    let due = parse_due(&req.due)?;
    let lines = checked_lines(&req.lines)?;
    let sum = match req.total_satang {
        Some(claimed) => check_total(&domain_lines(&lines), claimed)?,
        None => total(&domain_lines(&lines))?,
    };
    let id = new_id();
    db.write(|tx| {
        let unit = tx
            .unit(&req.unit_id)?
            .filter(|u| staff.manages(&u.record.project_id))
            .ok_or_else(|| AppError::not_found("no such unit"))?;
        let new = NewInvoice {
            id: id.clone(),
            unit_id: unit.record.id.clone(),
            period: period.clone(),
            due,
            lines: lines.clone(),
            total: sum,
            issued_by: staff.id.clone(),
            issued_at: now,
        };
        if tx.insert_invoice(&new)? == Inserted::Duplicate {
            return Err(already_billed(&unit.record.number, &period));
        }
        log(tx, &id, now)
    })?;
    Ok((id, sum))
}

/// Imports a month's invoices for the project from CSV: all or nothing.
pub fn import(
    db: &dyn Storage,
    staff: &StaffMember,
    project_id: &str,
    bytes: &[u8],
    now: DateTime<Utc>,
) -> AppResult<Vec<ImportedInvoiceSummary>> {
    if !staff.manages(project_id) {
        return Err(AppError::not_found("no such project"));
    }
    let parsed = parse_import(bytes).map_err(|p| import_error("invoice file", &p))?;
    db.write(|tx| {
        tx.project(project_id)?
            .ok_or_else(|| AppError::not_found("no such project"))?;
        let mut problems = Vec::new();
        let mut made = Vec::new();
        let mut units: BTreeMap<String, String> = BTreeMap::new();
        for inv in &parsed {
            let unit_id = match units.get(&inv.unit) {
                Some(id) => id.clone(),
                None => match tx.unit_by_number(project_id, &inv.unit)? {
                    Some(u) => {
                        units.insert(inv.unit.clone(), u.record.id.clone());
                        u.record.id
                    }
                    None => {
                        problems.push(RowProblem {
                            line: inv.line,
                            message: format!("unit {} is not in this project", inv.unit),
                        });
                        continue;
                    }
                },
            };
            let id = new_id();
            let new = NewInvoice {
                id: id.clone(),
                unit_id,
                period: inv.period.clone(),
                due: inv.due,
                lines: inv
                    .lines
                    .iter()
                    .map(|l| InvoiceLineRecord {
                        description: l.description.clone(),
                        amount_satang: l.amount_satang,
                    })
                    .collect(),
                total: inv.total,
                issued_by: staff.id.clone(),
                issued_at: now,
            };
            if tx.insert_invoice(&new)? == Inserted::Duplicate {
                problems.push(RowProblem {
                    line: inv.line,
                    message: format!(
                        "unit {} already has an invoice for {}",
                        inv.unit, inv.period
                    ),
                });
                continue;
            }
            made.push(ImportedInvoiceSummary {
                invoice_id: id,
                unit: inv.unit.clone(),
                period: inv.period.clone(),
                total_satang: inv.total,
            });
        }
        if !problems.is_empty() {
            return Err(import_error("invoice file", &problems).into());
        }
        for m in &made {
            log(tx, &m.invoice_id, now)?;
        }
        Ok(made)
    })
}

/// The invoice, if `staff` may act on it.
/// The invoice and its project, if `staff` manages it.
fn invoice_for(
    tx: &mut dyn Tx,
    staff: &StaffMember,
    invoice_id: &str,
) -> AppResult<(lobby_model::protocol::InvoiceRecord, String)> {
    let inv = tx.invoice(invoice_id)?.ok_or_else(no_such_invoice)?;
    let unit = tx.unit(&inv.unit_id)?.ok_or_else(no_such_invoice)?;
    if !staff.manages(&unit.record.project_id) {
        return Err(no_such_invoice());
    }
    Ok((inv, unit.record.project_id))
}

/// Records the payment received (a slip's, or cash at the office): the invoice is paid.
pub fn confirm(
    db: &dyn Storage,
    staff: &StaffMember,
    invoice_id: &str,
    amount_satang: i64,
    now: DateTime<Utc>,
) -> AppResult<()> {
    check_line("payment", amount_satang)?;
    db.write(|tx| {
        let (_, project_id) = invoice_for(tx, staff, invoice_id)?;
        let decided = tx.decide_invoice(
            invoice_id,
            &InvoiceDecision {
                from: &["unpaid", "slip_submitted", "rejected"],
                to: "paid",
                received: Some(amount_satang),
                reject_reason: None,
                slip_file_id: None,
                by: Some(&staff.id),
                at: now,
            },
        )?;
        if !decided {
            return Err(AppError::new(
                lobby_model::ErrorCode::Conflict,
                "the invoice is already paid",
            ));
        }
        crate::audit::record(
            tx,
            &project_id,
            staff,
            crate::audit::AuditAction::InvoiceConfirm,
            invoice_id,
            now,
        )?;
        log(tx, invoice_id, now)
    })
}

/// Rejects the slip sent (with the reason the resident will read): to be paid again.
pub fn reject(
    db: &dyn Storage,
    staff: &StaffMember,
    invoice_id: &str,
    reason: &str,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let reason = check_name(reason, "the reason", MAX_REASON_CHARS)?;
    db.write(|tx| {
        let (_, project_id) = invoice_for(tx, staff, invoice_id)?;
        let decided = tx.decide_invoice(
            invoice_id,
            &InvoiceDecision {
                from: &["slip_submitted"],
                to: "rejected",
                received: None,
                reject_reason: Some(&reason),
                slip_file_id: None,
                by: Some(&staff.id),
                at: now,
            },
        )?;
        if !decided {
            return Err(AppError::new(
                lobby_model::ErrorCode::Conflict,
                "only an invoice with a slip waiting can be rejected",
            ));
        }
        crate::audit::record(
            tx,
            &project_id,
            staff,
            crate::audit::AuditAction::InvoiceReject,
            invoice_id,
            now,
        )?;
        log(tx, invoice_id, now)
    })
}

/// `invoice_pay`: the person sends a slip for an invoice of a unit they belong to; the
/// photo (checked like every photo) is stored in the unit's scope and the invoice waits
/// for staff (`slip_submitted`; a later slip replaces one still waiting).
pub fn pay(
    tx: &mut dyn Tx,
    person_id: &str,
    invoice_id: &str,
    upload: (&str, u64, &str),
    now: DateTime<Utc>,
) -> AppResult<()> {
    let inv = tx.invoice(invoice_id)?.ok_or_else(no_such_invoice)?;
    if tx.active_membership(person_id, &inv.unit_id)?.is_none() {
        return Err(no_such_invoice());
    }
    if inv.state == "paid" {
        return Err(AppError::new(
            lobby_model::ErrorCode::Conflict,
            "this invoice is already paid",
        ));
    }
    let (upload_id, size, sha256) = upload;
    let bytes = crate::uploads::take(tx, person_id, upload_id, size, sha256)?;
    check_photo(&bytes)?;
    let file = store_file(
        tx,
        &Upload {
            scope: &scope::unit(&inv.unit_id),
            content_type: JPEG,
            bytes: &bytes,
            created_by: None,
        },
        now,
    )?;
    let decided = tx.decide_invoice(
        invoice_id,
        &InvoiceDecision {
            from: &["unpaid", "rejected", "slip_submitted"],
            to: "slip_submitted",
            received: None,
            reject_reason: None,
            slip_file_id: Some(&file.id),
            by: None,
            at: now,
        },
    )?;
    if !decided {
        return Err(AppError::server("invoice", "changed under the payment"));
    }
    if let Some(old) = inv.slip {
        tx.delete_file(&old.id)?;
    }
    log(tx, invoice_id, now)
}

/// What each unit of the project owes, and its months in arrears, on `today`.
pub fn outstanding(
    db: &dyn Storage,
    staff: &StaffMember,
    project_id: &str,
    today: NaiveDate,
) -> AppResult<Outstanding> {
    if !staff.manages(project_id) {
        return Err(AppError::not_found("no such project"));
    }
    db.read(|tx| {
        tx.project(project_id)?
            .ok_or_else(|| AppError::not_found("no such project"))?;
        let mut units = Vec::new();
        for u in tx.project_units(project_id)? {
            let invoices = tx.unit_invoice_states(&u.record.id)?;
            let unpaid: i64 = invoices
                .iter()
                .filter(|(_, state, _, _)| state != "paid")
                .map(|(_, _, _, total)| *total)
                .sum();
            if unpaid == 0 {
                continue;
            }
            let months = arrears_of(tx, &u.record.id, today)?.unwrap_or(0);
            units.push(OutstandingUnit {
                unit_id: u.record.id,
                unit: u.record.number,
                unpaid_satang: unpaid,
                months_in_arrears: months,
            });
        }
        Ok(Outstanding { units })
    })
}
