//! Announcements (DESIGN.md §2.5, issue 10): staff post to their project — to every unit
//! or to chosen ones — and see who opened (general) or acknowledged (acknowledge) each.
//!
//! - **Who gets it.** A whole-project announcement is logged once in `project:<id>`
//!   (every member of the project sees it); one for chosen units is logged in each unit's
//!   `unit:` scope, one record per unit (`<id>/<unit>`), so a person sees it once per
//!   unit it was addressed to, and a unit they leave takes it with it.
//! - **Opening** (`announcement_open`, pushed by the phone): allowed only to an active
//!   member of a unit the announcement is addressed to; anything else is `not_found`, as
//!   an unknown announcement is. Opening again changes nothing.
//! - Text rules are `lobby_model::domain::announcements`'.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use lobby_model::domain::announcements::{check_post, AnnouncementKind};
use lobby_model::domain::files::check_attachment;
use lobby_model::protocol::{
    AnnouncementPost, AnnouncementReader, AnnouncementReaders, AnnouncementRecord, FileRef, Record,
    UnitNotRead,
};
use lobby_model::scope;

use crate::error::{AppError, AppResult};
use crate::files::{store_file, Upload};
use crate::ids::new_id;
use crate::storage::{NewAnnouncement, StaffMember, Storage, StoredAnnouncement, Tx};

/// Most units one announcement may name.
pub const MAX_TARGET_UNITS: usize = 1000;

fn no_such_announcement() -> AppError {
    AppError::not_found("no such announcement")
}

/// Posts an announcement; its id.
pub fn post(
    db: &dyn Storage,
    staff: &StaffMember,
    req: &AnnouncementPost,
    now: DateTime<Utc>,
) -> AppResult<String> {
    let kind = AnnouncementKind::parse(&req.kind)?;
    let text = check_post(&req.title, &req.body, req.expires_at, now)?;
    if req.unit_ids.len() > MAX_TARGET_UNITS {
        return Err(AppError::invalid(format!(
            "an announcement names at most {MAX_TARGET_UNITS} units (none: the whole project)"
        )));
    }
    if !staff.manages(&req.project_id) {
        return Err(AppError::not_found("no such project"));
    }
    let units: BTreeSet<String> = req.unit_ids.iter().cloned().collect();
    let id = new_id();
    db.write(|tx| {
        tx.project(&req.project_id)?
            .ok_or_else(|| AppError::not_found("no such project"))?;
        for unit in &units {
            tx.unit(unit)?
                .filter(|u| u.record.project_id == req.project_id)
                .ok_or_else(|| AppError::not_found("no such unit in the project"))?;
        }
        tx.insert_announcement(&NewAnnouncement {
            id: id.clone(),
            project_id: req.project_id.clone(),
            title: text.title.clone(),
            body: text.body.clone(),
            kind: kind.as_str(),
            unit_ids: units.iter().cloned().collect(),
            expires_at: req.expires_at,
            posted_by: staff.id.clone(),
            posted_at: now,
        })?;
        let a = tx
            .announcement(&id)?
            .ok_or_else(|| AppError::server("announcement", "not read back"))?;
        log(tx, &a, now)
    })?;
    Ok(id)
}

/// The scopes the announcement is logged in, with each record's id and unit.
fn copies(a: &StoredAnnouncement) -> Vec<(String, String, Option<String>)> {
    if a.unit_ids.is_empty() {
        vec![(scope::project(&a.project_id), a.id.clone(), None)]
    } else {
        a.unit_ids
            .iter()
            .map(|u| (scope::unit(u), format!("{}/{u}", a.id), Some(u.clone())))
            .collect()
    }
}

/// Logs the announcement in every scope it is addressed to, each copy with the
/// attachment stored in that scope.
fn log(tx: &mut dyn Tx, a: &StoredAnnouncement, now: DateTime<Utc>) -> AppResult<()> {
    for (scope, id, unit_id) in copies(a) {
        let attachment = match tx.announcement_file(&a.id, &scope)? {
            Some(file_id) => tx.file_meta(&file_id)?.map(|m| {
                Box::new(FileRef {
                    id: m.id,
                    content_type: m.content_type,
                    size: m.size,
                    sha256: m.sha256,
                })
            }),
            None => None,
        };
        let record = AnnouncementRecord {
            id,
            announcement_id: a.id.clone(),
            project_id: a.project_id.clone(),
            unit_id,
            title: a.title.clone(),
            body: a.body.clone(),
            kind: a.kind.clone(),
            posted_at: a.posted_at,
            expires_at: a.expires_at,
            attachment,
        };
        tx.append_change(&scope, &Record::Announcement(record), now)?;
    }
    Ok(())
}

/// Sets (or replaces) the announcement's attachment — an image or a PDF
/// (`domain::files::check_attachment`) — stored once in each scope it is logged in, so
/// only those who see the announcement may download it; the announcement is logged
/// again. Its media type.
pub fn set_attachment(
    db: &dyn Storage,
    staff: &StaffMember,
    announcement_id: &str,
    bytes: &[u8],
    now: DateTime<Utc>,
) -> AppResult<&'static str> {
    let content_type = check_attachment(bytes)?;
    db.write(|tx| {
        let a = tx
            .announcement(announcement_id)?
            .filter(|a| staff.manages(&a.project_id))
            .ok_or_else(no_such_announcement)?;
        for (scope, _, _) in copies(&a) {
            let file = store_file(
                tx,
                &Upload {
                    scope: &scope,
                    content_type,
                    bytes,
                    created_by: Some(&staff.id),
                },
                now,
            )?;
            if let Some(old) = tx.set_announcement_file(&a.id, &scope, &file.id)? {
                tx.delete_file(&old)?;
            }
        }
        log(tx, &a, now)
    })?;
    Ok(content_type)
}

/// Whether the announcement is addressed to `unit_id`.
fn addressed_to(tx: &mut dyn Tx, a: &StoredAnnouncement, unit_id: &str) -> AppResult<bool> {
    if a.unit_ids.is_empty() {
        Ok(tx
            .unit(unit_id)?
            .is_some_and(|u| u.record.project_id == a.project_id))
    } else {
        Ok(a.unit_ids.iter().any(|u| u == unit_id))
    }
}

/// `announcement_open`: the person opened (or acknowledged) it in `unit_id`.
pub fn open(
    tx: &mut dyn Tx,
    person_id: &str,
    announcement_id: &str,
    unit_id: &str,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let a = tx
        .announcement(announcement_id)?
        .ok_or_else(no_such_announcement)?;
    let member = tx.active_membership(person_id, unit_id)?.is_some();
    if !member || !addressed_to(tx, &a, unit_id)? {
        return Err(no_such_announcement());
    }
    tx.record_announcement_open(announcement_id, person_id, unit_id, now)?;
    Ok(())
}

/// Who opened or acknowledged it, and which addressed units nobody has yet.
pub fn readers(
    db: &dyn Storage,
    staff: &StaffMember,
    announcement_id: &str,
) -> AppResult<AnnouncementReaders> {
    // A write: who read what is personal data, and reading it is audited.
    db.write(|tx| {
        let a = tx
            .announcement(announcement_id)?
            .filter(|a| staff.manages(&a.project_id))
            .ok_or_else(no_such_announcement)?;
        crate::audit::record(
            tx,
            &a.project_id,
            staff,
            crate::audit::AuditAction::AnnouncementReaders,
            announcement_id,
            Utc::now(),
        )?;
        let addressed: Vec<(String, String)> = if a.unit_ids.is_empty() {
            tx.project_units(&a.project_id)?
                .into_iter()
                .map(|u| (u.record.id, u.record.number))
                .collect()
        } else {
            let mut v = Vec::new();
            for id in &a.unit_ids {
                if let Some(u) = tx.unit(id)? {
                    v.push((u.record.id, u.record.number));
                }
            }
            v
        };
        let mut readers = Vec::new();
        let mut read_units = BTreeSet::new();
        for o in tx.announcement_opens(announcement_id)? {
            let name = tx
                .person(&o.person_id)?
                .map(|p| p.display_name)
                .unwrap_or_default();
            let unit = addressed
                .iter()
                .find(|(id, _)| *id == o.unit_id)
                .map(|(_, n)| n.clone())
                .unwrap_or_default();
            read_units.insert(o.unit_id.clone());
            readers.push(AnnouncementReader {
                person_id: o.person_id,
                name,
                unit_id: o.unit_id,
                unit,
                at: o.at,
            });
        }
        Ok(AnnouncementReaders {
            announcement_id: a.id,
            kind: a.kind,
            readers,
            units_not_read: addressed
                .into_iter()
                .filter(|(id, _)| !read_units.contains(id))
                .map(|(unit_id, unit)| UnitNotRead { unit_id, unit })
                .collect(),
        })
    })
}
