//! Meetings (DESIGN.md §2.7, issue 9): what staff set up before and during a co-owners'
//! meeting — the meeting, its agenda, proxies and the attendance register. The rules are
//! `lobby_model::domain::voting`'s; what phones are told is [`records`].
//!
//! Staff of one project act on its meetings only; another project's meeting or unit is
//! answered like an unknown one (`not_found`). Nothing changes once a meeting is closed.
//! Opening, closing and the ballot log: [`voting`].

use chrono::{DateTime, Utc};
use lobby_model::domain::contact::normalize_thai_phone;
use lobby_model::domain::name::check_name;
use lobby_model::domain::voting::eligibility::{check_proxy_holder, MeetingKind, ProxyBar};
use lobby_model::domain::voting::resolution::ResolutionType;
use lobby_model::protocol::{AttendanceAdd, ItemAdd, MeetingCreate, ProxyAdd, RoleAdd};
use lobby_model::ErrorCode;

pub mod publish;
pub(crate) mod records;
pub mod voting;

use crate::error::{AppError, AppResult};
use crate::ids::new_id;
use crate::storage::{NewAgendaItem, NewMeeting, StaffMember, Storage, StoredMeeting, Tx};

/// Longest meeting or item title (characters).
pub const MAX_TITLE_CHARS: usize = 200;

pub(crate) fn no_such_meeting() -> AppError {
    AppError::not_found("no such meeting")
}

/// The meeting, if `staff` may act on it.
pub(crate) fn meeting_for(
    tx: &mut dyn Tx,
    staff: &StaffMember,
    meeting_id: &str,
) -> AppResult<StoredMeeting> {
    tx.meeting(meeting_id)?
        .filter(|m| staff.manages(&m.project_id))
        .ok_or_else(no_such_meeting)
}

/// The meeting, if `staff` may act on it and it is not closed.
fn open_for_changes(
    tx: &mut dyn Tx,
    staff: &StaffMember,
    meeting_id: &str,
) -> AppResult<StoredMeeting> {
    let m = meeting_for(tx, staff, meeting_id)?;
    if m.status == "closed" {
        return Err(AppError::new(
            ErrorCode::Conflict,
            "the meeting is closed; nothing about it changes any more",
        ));
    }
    Ok(m)
}

/// A unit of the meeting's project (`not_found` otherwise).
fn unit_of(tx: &mut dyn Tx, meeting: &StoredMeeting, unit_id: &str) -> AppResult<()> {
    tx.unit(unit_id)?
        .filter(|u| u.record.project_id == meeting.project_id)
        .map(|_| ())
        .ok_or_else(|| AppError::not_found("no such unit in the meeting's project"))
}

/// Creates a meeting of a project; its id.
pub fn create_meeting(
    db: &dyn Storage,
    staff: &StaffMember,
    req: &MeetingCreate,
    now: DateTime<Utc>,
) -> AppResult<String> {
    let kind = MeetingKind::parse(&req.kind)?;
    let title = check_name(&req.title, "the title", MAX_TITLE_CHARS)?;
    if !staff.manages(&req.project_id) {
        return Err(AppError::not_found("no such project"));
    }
    let id = new_id();
    db.write(|tx| {
        tx.project(&req.project_id)?
            .ok_or_else(|| AppError::not_found("no such project"))?;
        tx.insert_meeting(&NewMeeting {
            id: id.clone(),
            project_id: req.project_id.clone(),
            title: title.clone(),
            kind: kind.as_str(),
            reconvened: req.reconvened,
            created_by: staff.id.clone(),
            created_at: now,
        })?;
        records::log_meeting(tx, &id, now)
    })?;
    Ok(id)
}

/// Adds an agenda item after the meeting's last one; its id.
pub fn add_item(
    db: &dyn Storage,
    staff: &StaffMember,
    meeting_id: &str,
    req: &ItemAdd,
    now: DateTime<Utc>,
) -> AppResult<String> {
    let resolution = ResolutionType::parse(&req.resolution)?;
    let title = check_name(&req.title, "the title", MAX_TITLE_CHARS)?;
    let id = new_id();
    db.write(|tx| {
        open_for_changes(tx, staff, meeting_id)?;
        tx.insert_agenda_item(&NewAgendaItem {
            id: id.clone(),
            meeting_id: meeting_id.to_string(),
            title: title.clone(),
            resolution: resolution.as_str(),
        })?;
        records::log_item(tx, &id, now)
    })?;
    Ok(id)
}

/// Registers the holder (by phone) as the unit's proxy at the meeting: `proxy_limit`
/// past 3 units for one holder (s.47); `not_found` for a holder with no account.
/// Registering the same holder again changes nothing; another holder replaces the first.
pub fn add_proxy(
    db: &dyn Storage,
    staff: &StaffMember,
    meeting_id: &str,
    req: &ProxyAdd,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let phone = normalize_thai_phone(&req.holder)?;
    db.write(|tx| {
        let meeting = open_for_changes(tx, staff, meeting_id)?;
        unit_of(tx, &meeting, &req.unit_id)?;
        let holder = tx
            .person_by_phone(&phone)?
            .filter(|p| p.is_activated())
            .ok_or_else(|| AppError::not_found("the proxy holder has no Lobby account"))?;
        let former = tx.proxy_holder(meeting_id, &req.unit_id)?;
        if former.as_deref() == Some(holder.id.as_str()) {
            return Ok(());
        }
        // Board members, the manager, their spouses and office staff may not (s.47).
        let bars = tx
            .project_roles(&meeting.project_id, &holder.id)?
            .iter()
            .map(|r| ProxyBar::parse(r))
            .collect::<Result<Vec<_>, _>>()?;
        check_proxy_holder(&bars, tx.count_held_proxies(meeting_id, &holder.id)?)?;
        tx.set_proxy(meeting_id, &req.unit_id, &holder.id, now)?;
        if let Some(former) = former {
            records::log_proxy_gone(tx, meeting_id, &req.unit_id, &former, now)?;
        }
        records::log_proxy(tx, &meeting, &req.unit_id, &holder.id, now)
    })
}

/// Puts the person with `req.phone` on the project's roster as `req.role` (board,
/// manager, spouse, staff): they may no longer take proxies at its meetings. Proxies they
/// already hold are for staff to review; registering them again is refused.
pub fn add_role(
    db: &dyn Storage,
    staff: &StaffMember,
    project_id: &str,
    req: &RoleAdd,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let role = ProxyBar::parse(&req.role)?;
    let phone = normalize_thai_phone(&req.phone)?;
    if !staff.manages(project_id) {
        return Err(AppError::not_found("no such project"));
    }
    db.write(|tx| {
        tx.project(project_id)?
            .ok_or_else(|| AppError::not_found("no such project"))?;
        let person = tx
            .person_by_phone(&phone)?
            .ok_or_else(|| AppError::not_found("nobody with that phone number is known"))?;
        tx.add_project_role(project_id, &person.id, role.as_str(), now)
    })
}

/// Records the unit present in the attendance register (again: no change).
pub fn record_attendance(
    db: &dyn Storage,
    staff: &StaffMember,
    meeting_id: &str,
    req: &AttendanceAdd,
    now: DateTime<Utc>,
) -> AppResult<()> {
    db.write(|tx| {
        let meeting = open_for_changes(tx, staff, meeting_id)?;
        unit_of(tx, &meeting, &req.unit_id)?;
        let new = tx.record_attendance(meeting_id, &req.unit_id, now)?;
        if new && meeting.status == "open" {
            voting::append(
                tx,
                meeting_id,
                lobby_model::domain::voting::chain::Entry::Attendance {
                    unit_id: req.unit_id.clone(),
                    at: now,
                },
            )?;
        }
        Ok(())
    })
}
