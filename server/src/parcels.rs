//! Parcels (DESIGN.md §2.4, issue 8): staff log what arrived for a unit; everyone who
//! sees the unit (`unit:` scope) gets it by sync, and their phone shows the notice.
//!
//! Staff of one project log parcels for that project's units only; a unit of another
//! project is answered like one that does not exist (`not_found`), as for onboarding
//! reissues. The recipient and carrier follow the one name rule (`domain::name`), so a
//! label cannot spoof a name with direction overrides. Staff look parcels up by unit,
//! status and recipient ([`list_parcels`]), within their project.
//!
//! Photos: staff may attach (or replace) a JPEG of the parcel (`domain::files` decides
//! what one may be). The file is stored in the unit's scope (`crate::files`) and the
//! parcel is logged again with its [`FileRef`](lobby_model::protocol::FileRef), so phones
//! learn of it by sync and fetch the bytes on demand; a replaced photo's file is deleted.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use lobby_model::domain::files::{check_photo, JPEG};
use lobby_model::domain::name::check_name;
use lobby_model::domain::registry::MAX_NAME_CHARS;
use lobby_model::protocol::admin::{ParcelAdd, ParcelList};
use lobby_model::protocol::Record;
use lobby_model::scope;

use crate::error::{AppError, AppResult};
use crate::files::{store_file, Upload};
use crate::ids::new_id;
use crate::storage::{NewParcel, ParcelSearch, StaffMember, Storage};

/// Longest tracking number (characters).
pub const MAX_TRACKING_CHARS: usize = 64;

fn no_such_unit() -> AppError {
    AppError::not_found("no such unit")
}

/// Logs a parcel for `req.unit_id` by `staff`; the parcel's id.
pub fn log_parcel(
    db: &dyn Storage,
    staff: &StaffMember,
    req: &ParcelAdd,
    now: DateTime<Utc>,
) -> AppResult<String> {
    let recipient = check_name(&req.recipient, "the recipient", MAX_NAME_CHARS)?;
    let carrier = check_name(&req.carrier, "the carrier", MAX_NAME_CHARS)?;
    let tracking = match req.tracking.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(t) if t.chars().count() > MAX_TRACKING_CHARS || t.chars().any(char::is_control) => {
            return Err(AppError::invalid(format!(
                "a tracking number has at most {MAX_TRACKING_CHARS} characters and no control characters"
            )))
        }
        Some(t) => Some(t.to_string()),
    };
    let id = new_id();
    db.write(|tx| {
        let unit = tx.unit(&req.unit_id)?.ok_or_else(no_such_unit)?;
        if !staff.manages(&unit.record.project_id) {
            return Err(no_such_unit());
        }
        tx.insert_parcel(&NewParcel {
            id: id.clone(),
            unit_id: req.unit_id.clone(),
            recipient: recipient.clone(),
            carrier: carrier.clone(),
            tracking: tracking.clone(),
            logged_by: staff.id.clone(),
            logged_at: now,
        })?;
        let record = tx
            .parcel(&id)?
            .ok_or_else(|| AppError::server("parcel", "not read back"))?;
        tx.append_change(&scope::unit(&req.unit_id), &Record::Parcel(record), now)?;
        crate::audit::record(
            tx,
            &unit.record.project_id,
            staff,
            crate::audit::AuditAction::ParcelLog,
            &id,
            now,
        )
    })?;
    Ok(id)
}

fn no_such_parcel() -> AppError {
    AppError::not_found("no such parcel")
}

/// Sets (or replaces) the photo of `parcel_id` by `staff`; the new file's id. A parcel of
/// another project answers like one that does not exist.
pub fn set_parcel_photo(
    db: &dyn Storage,
    staff: &StaffMember,
    parcel_id: &str,
    jpeg: &[u8],
    now: DateTime<Utc>,
) -> AppResult<String> {
    check_photo(jpeg)?;
    db.write(|tx| {
        let parcel = tx.parcel(parcel_id)?.ok_or_else(no_such_parcel)?;
        let unit = tx.unit(&parcel.unit_id)?.ok_or_else(no_such_parcel)?;
        if !staff.manages(&unit.record.project_id) {
            return Err(no_such_parcel());
        }
        let unit_scope = scope::unit(&parcel.unit_id);
        let file = store_file(
            tx,
            &Upload {
                scope: &unit_scope,
                content_type: JPEG,
                bytes: jpeg,
                created_by: Some(&staff.id),
            },
            now,
        )?;
        tx.set_parcel_photo(parcel_id, &file.id)?;
        if let Some(old) = &parcel.photo {
            tx.delete_file(&old.id)?;
        }
        let record = tx
            .parcel(parcel_id)?
            .ok_or_else(|| AppError::server("parcel", "not read back"))?;
        tx.append_change(&unit_scope, &Record::Parcel(record), now)?;
        crate::audit::record(
            tx,
            &unit.record.project_id,
            staff,
            crate::audit::AuditAction::ParcelPhoto,
            parcel_id,
            now,
        )?;
        Ok(file.id)
    })
}

/// The parcel statuses a filter may name.
pub const STATUSES: [&str; 3] = ["waiting", "picked_up", "returned"];

/// The parcels `staff` may see (their project's, or all for an unlimited credential),
/// newest first, filtered by unit, status and part of the recipient's name; at most
/// [`ParcelList::MAX`], with `truncated` when more match. Audited (`parcel.list`) once
/// per project whose parcels were listed; an empty answer showed nobody and is not.
pub fn list_parcels(
    db: &dyn Storage,
    staff: &StaffMember,
    unit_id: Option<&str>,
    status: Option<&str>,
    recipient: Option<&str>,
) -> AppResult<ParcelList> {
    if let Some(s) = status {
        if !STATUSES.contains(&s) {
            return Err(AppError::invalid(
                "status is waiting, picked_up or returned",
            ));
        }
    }
    // The length is checked before trimming: the description promises at most
    // MAX_NAME_CHARS characters as sent (a longer filter of spaces is refused too).
    if recipient.is_some_and(|r| r.chars().count() > MAX_NAME_CHARS) {
        return Err(AppError::invalid("recipient is too long"));
    }
    let recipient = recipient.map(str::trim).filter(|r| !r.is_empty());
    let search = ParcelSearch {
        project_id: staff.project_id.as_deref(),
        unit_id,
        status,
        recipient,
    };
    let now = Utc::now();
    let (parcels, truncated) = db.write(|tx| {
        let mut parcels = tx.find_parcels(&search, ParcelList::MAX + 1)?;
        let truncated = parcels.len() > ParcelList::MAX;
        parcels.truncate(ParcelList::MAX);
        // One entry per project whose recipients were shown, naming the filter's unit,
        // else the project.
        let mut projects = BTreeSet::new();
        let mut units = BTreeSet::new();
        for p in &parcels {
            if units.insert(p.unit_id.as_str()) {
                if let Some(u) = tx.unit(&p.unit_id)? {
                    projects.insert(u.record.project_id);
                }
            }
        }
        for project in projects {
            crate::audit::record(
                tx,
                &project,
                staff,
                crate::audit::AuditAction::ParcelList,
                unit_id.unwrap_or(&project),
                now,
            )?;
        }
        Ok((parcels, truncated))
    })?;
    Ok(ParcelList { parcels, truncated })
}
