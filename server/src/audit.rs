//! The audit log of staff actions touching personal data (DESIGN.md §2.8, issue 11):
//! one hash-chained log per project (`domain::audit`), appended in the unit of work of
//! the action itself — the action and its entry commit together or not at all — and
//! read back with the chain checked. Nobody edits it: there is no route that does, and
//! the SQLite store refuses any `UPDATE` or `DELETE` of its rows (triggers).
//!
//! What is recorded is one declaration, [`AuditAction`]: every staff action that reads
//! or changes a person's data, with what it touches. Each entry names its subject by id
//! only (the log itself holds no personal data, so an erasure leaves it whole).

use chrono::{DateTime, Utc};
use lobby_model::domain::audit::{link_after, verify, AuditEvent};
use lobby_model::protocol::admin::{AuditEntry, AuditLog};

use crate::error::{AppError, AppResult};
use crate::storage::{StaffMember, Storage, Tx};

/// Every staff action the audit log records, and what personal data it touches. An
/// action that reads or changes a person's data gets a variant here and a [`record`] call
/// in its unit of work (`docs/architecture.md`, "Add a server table").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuditAction {
    /// `owners.import`: importing the owner registry (names, phones, e-mails of owners).
    OwnersImport,
    /// `onboarding.reissue`: reissuing a unit's onboarding QR (the owner's registration).
    OnboardingReissue,
    /// `parcel.log`: logging a parcel for a unit (the recipient's name).
    ParcelLog,
    /// `parcel.photo`: attaching a parcel's photo (its label names the recipient).
    ParcelPhoto,
    /// `parcel.list`: listing or searching parcels (recipients' names), once per project listed.
    ParcelList,
    /// `parcel.return`: sending a waiting parcel back to the carrier.
    ParcelReturn,
    /// `pickup.verify`: verifying a pickup pass at the counter (who holds it, the unit's parcels).
    PickupVerify,
    /// `pickup.handover`: handing parcels over (the collector's name or signature).
    PickupHandover,
    /// `announcement.readers`: reading who read an announcement.
    AnnouncementReaders,
    /// `invoice.confirm`: confirming a payment slip.
    InvoiceConfirm,
    /// `invoice.reject`: rejecting a payment slip.
    InvoiceReject,
    /// `privacy_request.list`: listing the open privacy requests (who asked what).
    PrivacyRequestList,
    /// `privacy_request.decide`: answering a privacy request (an approved erasure included).
    PrivacyRequestDecide,
}

impl AuditAction {
    pub const ALL: [AuditAction; 13] = [
        AuditAction::OwnersImport,
        AuditAction::OnboardingReissue,
        AuditAction::ParcelLog,
        AuditAction::ParcelPhoto,
        AuditAction::ParcelList,
        AuditAction::ParcelReturn,
        AuditAction::PickupVerify,
        AuditAction::PickupHandover,
        AuditAction::AnnouncementReaders,
        AuditAction::InvoiceConfirm,
        AuditAction::InvoiceReject,
        AuditAction::PrivacyRequestList,
        AuditAction::PrivacyRequestDecide,
    ];

    /// The name entries carry (stable: it is part of each entry's hash).
    pub fn as_str(self) -> &'static str {
        match self {
            AuditAction::OwnersImport => "owners.import",
            AuditAction::OnboardingReissue => "onboarding.reissue",
            AuditAction::ParcelLog => "parcel.log",
            AuditAction::ParcelPhoto => "parcel.photo",
            AuditAction::ParcelList => "parcel.list",
            AuditAction::ParcelReturn => "parcel.return",
            AuditAction::PickupVerify => "pickup.verify",
            AuditAction::PickupHandover => "pickup.handover",
            AuditAction::AnnouncementReaders => "announcement.readers",
            AuditAction::InvoiceConfirm => "invoice.confirm",
            AuditAction::InvoiceReject => "invoice.reject",
            AuditAction::PrivacyRequestList => "privacy_request.list",
            AuditAction::PrivacyRequestDecide => "privacy_request.decide",
        }
    }
}

/// Appends `action` on `subject` by `staff` to the project's chain.
pub fn record(
    tx: &mut dyn Tx,
    project_id: &str,
    staff: &StaffMember,
    action: AuditAction,
    subject: &str,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let last = tx.last_audit_link(project_id)?;
    let link = link_after(
        last.as_ref().map(|(seq, hash)| (*seq, hash.as_str())),
        AuditEvent::new(now, &staff.id, action.as_str(), subject),
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

#[cfg(test)]
mod tests {
    use super::AuditAction;

    #[test]
    fn action_names_are_distinct() {
        let mut names: Vec<&str> = AuditAction::ALL.iter().map(|a| a.as_str()).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), AuditAction::ALL.len());
    }
}
