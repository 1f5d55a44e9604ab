//! Privacy requests (DESIGN.md §2.8): a person files one from the phone (a pushed
//! `privacy_request_file`, or for a misuse report, with "log out everywhere":
//! [`report_misuse`]), staff list the open ones by deadline and answer each once.
//! The rules — the 30-day deadline, what a correction must say, the fresh sign-in an
//! erasure needs, the once-only answer with a reason to reject — are
//! `domain::privacy_request`; this module applies them with the data they need (when
//! the pushing session signed in, which staff may see whose requests). Every change is
//! logged as a `privacy_request` record in the person's scope, so the phone shows its
//! status and the answer.

use chrono::{DateTime, Utc};
use lobby_model::domain::privacy_request::{
    check_detail, check_fresh, check_queued, deadline, decide as decide_rule, RequestKind,
    RequestStatus,
};
use lobby_model::protocol::{
    MisuseReported, PrivacyDecided, PrivacyRequestRecord, PrivacyRequestSummary, Record,
};
use lobby_model::scope;
use lobby_model::ErrorCode;

use crate::error::{AppError, AppResult};
use crate::ids::new_id;
use crate::storage::{Inserted, StaffMember, Storage, StoredPrivacyRequest, Tx};

fn no_such_request() -> AppError {
    AppError::not_found("no such request")
}

fn log(tx: &mut dyn Tx, r: &StoredPrivacyRequest, now: DateTime<Utc>) -> AppResult<()> {
    tx.append_change(
        &scope::person(&r.person_id),
        &Record::PrivacyRequest(PrivacyRequestRecord {
            id: r.id.clone(),
            kind: r.kind.clone(),
            detail: r.detail.clone(),
            status: r.status.clone(),
            filed_at: r.filed_at,
            deadline: r.deadline,
            answer: r.answer.clone(),
            decided_at: r.decided_at,
        }),
        now,
    )?;
    Ok(())
}

/// `privacy_request_file`: records the request, open, due in 30 days.
pub fn file(
    tx: &mut dyn Tx,
    family_id: Option<&str>,
    person_id: &str,
    request_id: &str,
    kind: &str,
    detail: Option<&str>,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let kind = RequestKind::parse(kind)?;
    check_queued(kind)?;
    let detail = check_detail(kind, detail)?;
    if kind.needs_fresh_sign_in() {
        let signed_in = match family_id {
            Some(f) => tx.signed_in_at(f)?,
            None => None,
        };
        // No session to judge by is not fresh.
        check_fresh(kind, signed_in.unwrap_or(DateTime::<Utc>::MIN_UTC), now)?;
    }

    open(tx, person_id, request_id, kind, detail, now).map(|_| ())
}

/// Records an open request, due by its kind's deadline, and logs it for the person.
fn open(
    tx: &mut dyn Tx,
    person_id: &str,
    request_id: &str,
    kind: RequestKind,
    detail: Option<String>,
    now: DateTime<Utc>,
) -> AppResult<StoredPrivacyRequest> {
    let request = StoredPrivacyRequest {
        id: request_id.to_string(),
        person_id: person_id.to_string(),
        kind: kind.as_str().to_string(),
        detail,
        status: RequestStatus::Open.as_str().to_string(),
        filed_at: now,
        deadline: deadline(kind, now),
        answer: None,
        decided_at: None,
    };
    if tx.insert_privacy_request(&request)? == Inserted::Duplicate {
        return Err(AppError::new(
            ErrorCode::Conflict,
            "this request id is taken; make a new one",
        ));
    }
    log(tx, &request, now)?;
    Ok(request)
}

/// "Someone else used my account": ends every sign-in and device key of the person and
/// files a misuse report for the office, due in 72 hours, in one unit of work — the
/// intruder is out by the time anyone reads the report. Answers the report.
pub fn report_misuse(
    db: &dyn Storage,
    person_id: &str,
    detail: Option<&str>,
    now: DateTime<Utc>,
) -> AppResult<MisuseReported> {
    let detail = check_detail(RequestKind::Misuse, detail)?;
    db.write(|tx| {
        crate::sessions::end_person_sign_ins(tx, person_id, now)?;
        let r = open(
            tx,
            person_id,
            &new_id(),
            RequestKind::Misuse,
            detail.clone(),
            now,
        )?;
        Ok(MisuseReported {
            request_id: r.id,
            deadline: r.deadline,
        })
    })
}

/// Whether `staff` may see and answer the person's requests: platform staff always,
/// project staff where the person is a member.
fn may_handle(tx: &mut dyn Tx, staff: &StaffMember, person_id: &str) -> AppResult<bool> {
    Ok(match &staff.project_id {
        None => true,
        Some(p) => tx.person_projects(person_id)?.contains(p),
    })
}

/// Staff answer an open request.
pub fn decide(
    db: &dyn Storage,
    staff: &StaffMember,
    request_id: &str,
    approve: bool,
    reason: Option<&str>,
    now: DateTime<Utc>,
) -> AppResult<PrivacyDecided> {
    db.write(|tx| {
        let r = tx
            .privacy_request(request_id)?
            .ok_or_else(no_such_request)?;
        if !may_handle(tx, staff, &r.person_id)? {
            return Err(no_such_request());
        }
        let status = RequestStatus::parse(&r.status)?;
        let (to, answer) = decide_rule(status, approve, reason)?;
        // The projects whose staff may read about it, before an erasure ends the
        // memberships.
        let projects = tx.person_projects(&r.person_id)?;
        if !tx.decide_privacy_request(request_id, to.as_str(), answer.as_deref(), &staff.id, now)? {
            return Err(AppError::new(
                ErrorCode::Conflict,
                "this request was answered already",
            ));
        }
        for project in projects {
            if staff.manages(&project) {
                crate::audit::record(
                    tx,
                    &project,
                    staff,
                    crate::audit::AuditAction::PrivacyRequestDecide,
                    request_id,
                    now,
                )?;
            }
        }
        let erasure = if to == RequestStatus::Approved && r.kind == RequestKind::Erasure.as_str() {
            Some(super::erasure::erase(tx, &r.person_id, now)?)
        } else {
            None
        };
        let decided = StoredPrivacyRequest {
            status: to.as_str().to_string(),
            answer,
            decided_at: Some(now),
            // An erasure overwrote what the person wrote.
            detail: if erasure.is_some() {
                None
            } else {
                r.detail.clone()
            },
            ..r
        };
        log(tx, &decided, now)?;
        Ok(PrivacyDecided {
            request_id: request_id.to_string(),
            status: to.as_str().to_string(),
            erasure,
        })
    })
}

/// The open requests of the project's members, soonest deadline first.
pub fn open_requests(
    db: &dyn Storage,
    staff: &StaffMember,
    project_id: &str,
) -> AppResult<Vec<PrivacyRequestSummary>> {
    if !staff.manages(project_id) {
        return Err(AppError::not_found("no such project"));
    }
    let rows = db.write(|tx| {
        crate::audit::record(
            tx,
            project_id,
            staff,
            crate::audit::AuditAction::PrivacyRequestList,
            project_id,
            Utc::now(),
        )?;
        tx.open_privacy_requests(Some(project_id))
    })?;
    Ok(rows
        .into_iter()
        .map(|(r, name)| PrivacyRequestSummary {
            request_id: r.id,
            kind: r.kind,
            person_id: r.person_id,
            name,
            detail: r.detail,
            status: r.status,
            filed_at: r.filed_at,
            deadline: r.deadline,
        })
        .collect())
}
