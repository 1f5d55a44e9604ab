//! The audit log of staff actions touching personal data (DESIGN.md §2.8, issue 11):
//! one hash-chained log per project (`domain::audit`), appended in the unit of work of
//! the action itself — the action and its entry commit together or not at all — and
//! read back with the chain checked. Nobody edits it: there is no route that does, and
//! the SQLite store refuses any `UPDATE` or `DELETE` of its rows (triggers).
//!
//! Recorded so far: reading who read an announcement (`announcement.readers`), a slip
//! confirmed or rejected (`invoice.confirm`, `invoice.reject`), the privacy requests
//! listed (`privacy_request.list`) and answered (`privacy_request.decide`). Each
//! entry names its subject by id only.

use chrono::{DateTime, Utc};
use lobby_model::domain::audit::{link_after, verify, AuditEvent};
use lobby_model::protocol::admin::{AuditEntry, AuditLog};

use crate::error::{AppError, AppResult};
use crate::storage::{StaffMember, Storage, Tx};

/// Appends `action` on `subject` by `staff` to the project's chain.
pub fn record(
    tx: &mut dyn Tx,
    project_id: &str,
    staff: &StaffMember,
    action: &str,
    subject: &str,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let last = tx.last_audit_link(project_id)?;
    let link = link_after(
        last.as_ref().map(|(seq, hash)| (*seq, hash.as_str())),
        AuditEvent::new(now, &staff.id, action, subject),
    );
    tx.append_audit_link(project_id, &link)
}

/// The project's whole log, oldest first, and whether its chain holds.
pub fn read(db: &dyn Storage, staff: &StaffMember, project_id: &str) -> AppResult<AuditLog> {
    if !staff.manages(project_id) {
        return Err(AppError::not_found("no such project"));
    }
    let links = db.read(|tx| tx.audit_links(project_id))?;
    let check = verify(&links);
    Ok(AuditLog {
        project_id: project_id.to_string(),
        verified: check.is_ok(),
        broken_at: check.as_ref().err().map(|b| b.seq),
        why: check.err().map(|b| b.why.to_string()),
        entries: links
            .into_iter()
            .map(|l| AuditEntry {
                seq: l.seq,
                at: DateTime::<Utc>::from_timestamp_millis(l.event.at_ms).unwrap_or_default(),
                staff_id: l.event.staff_id,
                action: l.event.action,
                subject: l.event.subject,
                prev: l.prev,
                hash: l.hash,
            })
            .collect(),
    })
}
