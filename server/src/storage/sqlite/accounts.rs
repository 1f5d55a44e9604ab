//! People, OTP requests, onboarding completion, sign-in and sessions.

use chrono::{DateTime, Duration, Utc};
use lobby_model::domain::contact::Destination;
use lobby_model::domain::otp::{
    check_otp, check_send_allowed, otp_error, send_retry_after_secs, OtpCheck, OtpState,
};
use lobby_model::protocol::{MembershipRecord, ProfileRecord, Record, Role, UnitRecord};
use lobby_model::ErrorCode;
use rusqlite::{params, OptionalExtension, Transaction};

use super::invites;
use super::registry::project;
use super::sync::append_change;
use super::{from_ms, ms, new_id};
use crate::error::{AppError, AppResult};
use crate::onboarding::{check_token_state, unknown_token, TokenState};
use crate::otp_sender::OtpPurpose;
use crate::sessions::{NewSession, SessionInfo};
use crate::storage::{
    LoginAccount, NewOtpRequest, OnboardingTarget, PendingInvite, PendingMode, PendingOnboarding,
};
use crate::sync_rules::person_scope;

pub(super) fn onboarding_target(
    tx: &Transaction,
    digest: &str,
) -> AppResult<Option<OnboardingTarget>> {
    let row = tx
        .query_row(
            "SELECT t.expires_at, t.used_at IS NOT NULL, t.voided_at IS NOT NULL,
                    u.id, u.project_id, u.number, u.ratio_micros, u.arrears_months,
                    p.legal_name, p.activated_at IS NOT NULL
             FROM onboarding_tokens t
             JOIN units u ON u.id = t.unit_id
             JOIN people p ON p.id = u.owner_person_id
             WHERE t.token_digest = ?1",
            [digest],
            |r| {
                Ok((
                    TokenState {
                        expires_at: from_ms(r.get(0)?),
                        used: r.get(1)?,
                        voided: r.get(2)?,
                    },
                    UnitRecord {
                        id: r.get(3)?,
                        project_id: r.get(4)?,
                        number: r.get(5)?,
                        ownership_ratio: lobby_model::Weight::from_micros(r.get(6)?),
                        arrears_months: r.get(7)?,
                    },
                    r.get::<_, String>(8)?,
                    r.get::<_, bool>(9)?,
                ))
            },
        )
        .optional()?;
    let Some((token, unit, owner_name, owner_activated)) = row else {
        return Ok(None);
    };
    let project = project(tx, &unit.project_id)?
        .ok_or_else(|| AppError::server("onboarding", "unit without project"))?;
    Ok(Some(OnboardingTarget {
        token,
        project,
        unit,
        owner_name,
        owner_activated,
    }))
}

pub(super) fn create_otp_request(tx: &Transaction, r: &NewOtpRequest) -> AppResult<()> {
    let now = r.created_at;
    let since = ms(now - Duration::days(1));
    let sends = |column: &str, value: &str| -> AppResult<Vec<DateTime<Utc>>> {
        let sql =
            format!("SELECT created_at FROM otp_requests WHERE {column} = ?1 AND created_at > ?2");
        let mut stmt = tx.prepare(&sql)?;
        let times = stmt
            .query_map(params![value, since], |row| row.get::<_, i64>(0))?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(times.into_iter().map(from_ms).collect())
    };
    let mut limited = vec![sends("destination", &r.destination)?];
    if r.limit_client {
        limited.push(sends("client_addr", &r.client_addr)?);
    }
    for earlier in &limited {
        if let Err(e) = check_send_allowed(earlier, now) {
            let secs = send_retry_after_secs(earlier, now).unwrap_or(1);
            return Err(AppError::rate_limited(e.message, secs));
        }
    }
    let pending = match (&r.pending, &r.invite) {
        (Some(p), _) => Some(serde_json::to_string(p)?),
        (None, Some(i)) => Some(serde_json::to_string(i)?),
        (None, None) => None,
    };
    tx.execute(
        "INSERT INTO otp_requests (id, purpose, destination, client_addr, code_digest, created_at, person_id, pending)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            r.id,
            r.purpose.as_str(),
            r.destination,
            r.client_addr,
            r.code_digest,
            ms(now),
            r.person_id,
            pending
        ],
    )?;
    Ok(())
}

struct OtpRow {
    purpose: String,
    state: OtpState,
    person_id: Option<String>,
    pending: Option<String>,
}

fn load_otp(tx: &Transaction, request_id: &str) -> AppResult<Option<OtpRow>> {
    Ok(tx
        .query_row(
            "SELECT purpose, code_digest, created_at, wrong_attempts, consumed_at IS NOT NULL, person_id, pending
             FROM otp_requests WHERE id = ?1",
            [request_id],
            |r| {
                Ok(OtpRow {
                    purpose: r.get(0)?,
                    state: OtpState {
                        code: r.get(1)?,
                        created_at: from_ms(r.get(2)?),
                        wrong_attempts: r.get(3)?,
                        consumed: r.get(4)?,
                    },
                    person_id: r.get(5)?,
                    pending: r.get(6)?,
                })
            },
        )
        .optional()?)
}

fn no_pending() -> AppError {
    AppError::new(
        ErrorCode::NoPendingOtp,
        "no code was requested with this request id; ask for a code first",
    )
}

/// Loads the request and checks the code (`domain::otp`), counting a wrong try. The
/// inner `Err` is the answer for a refused code; the wrong-try count must be committed.
/// A request made for another purpose than `purposes` is unknown here.
fn check_code(
    tx: &Transaction,
    request_id: &str,
    purposes: &[&str],
    code_digest: &str,
    now: DateTime<Utc>,
) -> AppResult<Result<OtpRow, AppError>> {
    let Some(otp) = load_otp(tx, request_id)? else {
        return Ok(Err(no_pending()));
    };
    if !purposes.contains(&otp.purpose.as_str()) {
        return Ok(Err(no_pending()));
    }
    let check = check_otp(&otp.state, code_digest, now);
    if matches!(check, OtpCheck::Wrong { .. }) {
        tx.execute(
            "UPDATE otp_requests SET wrong_attempts = wrong_attempts + 1 WHERE id = ?1",
            [request_id],
        )?;
    }
    if let Some(e) = otp_error(&check) {
        return Ok(Err(e.into()));
    }
    let n = tx.execute(
        "UPDATE otp_requests SET consumed_at = ?2 WHERE id = ?1 AND consumed_at IS NULL",
        params![request_id, ms(now)],
    )?;
    if n != 1 {
        return Ok(Err(otp_error(&OtpCheck::Locked)
            .unwrap_or_else(|| no_pending().error)
            .into()));
    }
    Ok(Ok(otp))
}

pub(super) fn complete_onboarding(
    tx: &Transaction,
    request_id: &str,
    code_digest: &str,
    session: &NewSession,
    now: DateTime<Utc>,
) -> AppResult<AppResult<String>> {
    let otp = match check_code(tx, request_id, &["onboarding"], code_digest, now)? {
        Ok(otp) => otp,
        Err(e) => return Ok(Err(e)),
    };
    // From here on any failure rolls everything back, the code's use included.
    let pending: PendingOnboarding = match &otp.pending {
        Some(p) => serde_json::from_str(p)?,
        None => {
            return Err(AppError::server(
                "onboarding",
                "code without a pending registration",
            ))
        }
    };
    let (token_id, unit_id) = usable_token(tx, &pending.token_digest, now)?;

    let person_id = match &pending.mode {
        PendingMode::Attach { person_id } => {
            require_activated(tx, person_id)?;
            person_id.clone()
        }
        PendingMode::NewAccount {
            phone,
            email,
            display_name,
            password_hash,
        } => {
            let pid = account_for_phone(tx, &unit_id, phone, now)?;
            activate(
                tx,
                &pid,
                phone,
                email.as_deref(),
                display_name.as_deref(),
                password_hash,
                now,
            )?;
            pid
        }
    };
    append_change(
        tx,
        &person_scope(&person_id),
        &Record::Profile(profile(tx, &person_id)?),
        now,
    )?;
    add_owner(tx, &person_id, &token_id, &unit_id, now)?;
    insert_session(tx, &person_id, &session.id, session, now)?;
    Ok(Ok(person_id))
}

/// A signed-in person claims the unit of another onboarding token (no OTP: the session
/// proves the person, the token the unit). Returns the unit id.
pub(super) fn claim_onboarding(
    tx: &Transaction,
    person_id: &str,
    token_digest: &str,
    now: DateTime<Utc>,
) -> AppResult<String> {
    require_activated(tx, person_id)?;
    let (token_id, unit_id) = usable_token(tx, token_digest, now)?;
    add_owner(tx, person_id, &token_id, &unit_id, now)?;
    Ok(unit_id)
}

fn require_activated(tx: &Transaction, person_id: &str) -> AppResult<()> {
    let active: Option<bool> = tx
        .query_row(
            "SELECT activated_at IS NOT NULL FROM people WHERE id = ?1",
            [person_id],
            |r| r.get(0),
        )
        .optional()?;
    if active == Some(true) {
        Ok(())
    } else {
        Err(AppError::unauthorized())
    }
}

/// The token's id and unit, if it may still be used at `now` (re-checked inside the
/// transaction that uses it, so two concurrent uses cannot both succeed).
fn usable_token(tx: &Transaction, digest: &str, now: DateTime<Utc>) -> AppResult<(String, String)> {
    let token = tx
        .query_row(
            "SELECT id, unit_id, expires_at, used_at IS NOT NULL, voided_at IS NOT NULL
             FROM onboarding_tokens WHERE token_digest = ?1",
            [digest],
            |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    TokenState {
                        expires_at: from_ms(r.get(2)?),
                        used: r.get(3)?,
                        voided: r.get(4)?,
                    },
                ))
            },
        )
        .optional()?;
    let Some((token_id, unit_id, state)) = token else {
        return Err(unknown_token().into());
    };
    check_token_state(&state, now)?;
    Ok((token_id, unit_id))
}

/// Makes `person_id` an owner of the unit (unless already a member), marks the token
/// used and logs the membership in the person's scope.
fn add_owner(
    tx: &Transaction,
    person_id: &str,
    token_id: &str,
    unit_id: &str,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let project_id: String = tx.query_row(
        "SELECT project_id FROM units WHERE id = ?1",
        [unit_id],
        |r| r.get(0),
    )?;
    let already: bool = tx
        .prepare(
            "SELECT 1 FROM memberships WHERE person_id = ?1 AND unit_id = ?2 AND ended_at IS NULL",
        )?
        .exists(params![person_id, unit_id])?;
    tx.execute(
        "UPDATE onboarding_tokens SET used_at = ?2, used_by = ?3 WHERE id = ?1",
        params![token_id, ms(now), person_id],
    )?;
    if !already {
        let m = MembershipRecord {
            id: new_id(),
            unit_id: unit_id.to_string(),
            project_id,
            role: Role::Owner,
        };
        tx.execute(
            "INSERT INTO memberships (id, person_id, unit_id, role, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![m.id, person_id, m.unit_id, m.role.as_str(), ms(now)],
        )?;
        append_change(tx, &person_scope(person_id), &Record::Membership(m), now)?;
    }
    Ok(())
}

/// Who a verified phone makes the owner: the person already known by that phone
/// (activated or not); else the unit's registry owner if they have no account yet; else
/// a new person under the registry name (the registry owner's account uses another phone).
fn account_for_phone(
    tx: &Transaction,
    unit_id: &str,
    phone: &str,
    now: DateTime<Utc>,
) -> AppResult<String> {
    if let Some(id) = tx
        .query_row("SELECT id FROM people WHERE phone = ?1", [phone], |r| {
            r.get::<_, String>(0)
        })
        .optional()?
    {
        return Ok(id);
    }
    let (owner_id, owner_active, legal_name): (String, bool, String) = tx.query_row(
        "SELECT p.id, p.activated_at IS NOT NULL, p.legal_name FROM units u JOIN people p ON p.id = u.owner_person_id
         WHERE u.id = ?1",
        [unit_id],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )?;
    if !owner_active {
        return Ok(owner_id);
    }
    let id = new_id();
    tx.execute(
        "INSERT INTO people (id, legal_name, display_name, created_at) VALUES (?1, ?2, ?2, ?3)",
        params![id, legal_name, ms(now)],
    )?;
    Ok(id)
}

/// Makes `pid` an activated account with the verified phone and the chosen password.
/// A first activation also takes the chosen display name and e-mail; an e-mail that
/// another account already uses is left unset (login by e-mail must stay unambiguous).
fn activate(
    tx: &Transaction,
    pid: &str,
    phone: &str,
    email: Option<&str>,
    display_name: Option<&str>,
    password_hash: &str,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let was_active: bool = tx.query_row(
        "SELECT activated_at IS NOT NULL FROM people WHERE id = ?1",
        [pid],
        |r| r.get(0),
    )?;
    tx.execute(
        "UPDATE people SET phone = ?2, password_hash = ?3, activated_at = COALESCE(activated_at, ?4) WHERE id = ?1",
        params![pid, phone, password_hash, ms(now)],
    )?;
    if was_active {
        return Ok(());
    }
    if let Some(name) = display_name {
        tx.execute(
            "UPDATE people SET display_name = ?2 WHERE id = ?1",
            params![pid, name],
        )?;
    }
    if let Some(email) = email {
        if email_taken(tx, email, pid)? {
            tracing::info!(person_id = %pid, "e-mail already used by another account; left unset");
        } else {
            tx.execute(
                "UPDATE people SET email = ?2 WHERE id = ?1",
                params![pid, email],
            )?;
        }
    }
    Ok(())
}

/// Whether another activated account uses this e-mail.
pub(super) fn email_taken(tx: &Transaction, email: &str, except: &str) -> AppResult<bool> {
    Ok(tx
        .prepare("SELECT 1 FROM people WHERE email = ?1 AND id != ?2 AND activated_at IS NOT NULL")?
        .exists(params![email, except])?)
}

pub(super) fn profile(tx: &Transaction, pid: &str) -> AppResult<ProfileRecord> {
    Ok(tx.query_row(
        "SELECT id, legal_name, display_name, phone, email FROM people WHERE id = ?1",
        [pid],
        |r| {
            Ok(ProfileRecord {
                id: r.get(0)?,
                legal_name: r.get(1)?,
                display_name: r.get(2)?,
                phone: r.get(3)?,
                email: r.get(4)?,
            })
        },
    )?)
}

pub(super) fn login_account(
    tx: &Transaction,
    dest: &Destination,
) -> AppResult<Option<LoginAccount>> {
    let sql = match dest {
        Destination::Phone(_) => {
            "SELECT id, password_hash FROM people WHERE phone = ?1 AND activated_at IS NOT NULL"
        }
        Destination::Email(_) => {
            "SELECT id, password_hash FROM people WHERE email = ?1 AND activated_at IS NOT NULL
             ORDER BY activated_at LIMIT 1"
        }
    };
    Ok(tx
        .query_row(sql, [dest.as_str()], |r| {
            Ok(LoginAccount {
                person_id: r.get(0)?,
                password_hash: r.get(1)?,
            })
        })
        .optional()?)
}

pub(super) fn person_destination(tx: &Transaction, pid: &str) -> AppResult<Option<Destination>> {
    let row: Option<(Option<String>, Option<String>)> = tx
        .query_row(
            "SELECT phone, email FROM people WHERE id = ?1 AND activated_at IS NOT NULL",
            [pid],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    Ok(match row {
        Some((Some(p), _)) => Some(Destination::Phone(p)),
        Some((None, Some(e))) => Some(Destination::Email(e)),
        _ => None,
    })
}

pub(super) fn complete_otp_login(
    tx: &Transaction,
    request_id: &str,
    code_digest: &str,
    session: &NewSession,
    now: DateTime<Utc>,
) -> AppResult<AppResult<String>> {
    let purposes = [
        OtpPurpose::Login.as_str(),
        OtpPurpose::InviteAccept.as_str(),
    ];
    let otp = match check_code(tx, request_id, &purposes, code_digest, now)? {
        Ok(otp) => otp,
        Err(e) => return Ok(Err(e)),
    };
    if otp.purpose == OtpPurpose::InviteAccept.as_str() {
        // From here on any failure rolls everything back, the code's use included.
        let pending: PendingInvite = match &otp.pending {
            Some(p) => serde_json::from_str(p)?,
            None => {
                return Err(AppError::server(
                    "invite accept",
                    "code without a pending acceptance",
                ))
            }
        };
        return Ok(Ok(invites::complete_accept(tx, &pending, session, now)?));
    }
    // A code for an unknown destination was never delivered, so it cannot match; this
    // branch is a guard, answered like a wrong code.
    let Some(pid) = otp.person_id else {
        return Err(otp_error(&OtpCheck::Wrong { remaining: 0 })
            .unwrap_or_else(|| no_pending().error)
            .into());
    };
    insert_session(tx, &pid, &session.id, session, now)?;
    Ok(Ok(pid))
}

pub(super) fn insert_session(
    tx: &Transaction,
    person_id: &str,
    family_id: &str,
    s: &NewSession,
    now: DateTime<Utc>,
) -> AppResult<()> {
    tx.execute(
        "INSERT INTO sessions (id, family_id, person_id, access_digest, access_expires_at, refresh_digest,
                               refresh_expires_at, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            s.id,
            family_id,
            person_id,
            s.access_digest,
            ms(s.access_expires_at),
            s.refresh_digest,
            ms(s.refresh_expires_at),
            ms(now)
        ],
    )?;
    Ok(())
}

pub(super) fn session_by_access(
    tx: &Transaction,
    digest: &str,
    now: DateTime<Utc>,
) -> AppResult<Option<SessionInfo>> {
    Ok(tx
        .query_row(
            "SELECT id, family_id, person_id FROM sessions
             WHERE access_digest = ?1 AND revoked_at IS NULL AND rotated_at IS NULL AND access_expires_at > ?2",
            params![digest, ms(now)],
            |r| Ok(SessionInfo { session_id: r.get(0)?, family_id: r.get(1)?, person_id: r.get(2)? }),
        )
        .optional()?)
}

pub(super) fn rotate_refresh(
    tx: &Transaction,
    digest: &str,
    new: &NewSession,
    now: DateTime<Utc>,
) -> AppResult<AppResult<String>> {
    let row = tx
        .query_row(
            "SELECT id, family_id, person_id, refresh_expires_at, rotated_at IS NOT NULL, revoked_at IS NOT NULL
             FROM sessions WHERE refresh_digest = ?1",
            [digest],
            |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, i64>(3)?,
                    r.get::<_, bool>(4)?,
                    r.get::<_, bool>(5)?,
                ))
            },
        )
        .optional()?;
    let Some((id, family, person, expires, rotated, revoked)) = row else {
        return Ok(Err(AppError::unauthorized()));
    };
    if rotated {
        // A refresh token used twice was copied: end the whole sign-in.
        revoke_family(tx, &family, now)?;
        tracing::warn!(family_id = %family, "refresh token reused; session family revoked");
        return Ok(Err(AppError::unauthorized()));
    }
    if revoked || from_ms(expires) <= now {
        return Ok(Err(AppError::unauthorized()));
    }
    tx.execute(
        "UPDATE sessions SET rotated_at = ?2 WHERE id = ?1",
        params![id, ms(now)],
    )?;
    insert_session(tx, &person, &family, new, now)?;
    Ok(Ok(person))
}

pub(super) fn revoke_family(
    tx: &Transaction,
    family_id: &str,
    now: DateTime<Utc>,
) -> AppResult<()> {
    tx.execute(
        "UPDATE sessions SET revoked_at = ?2 WHERE family_id = ?1 AND revoked_at IS NULL",
        params![family_id, ms(now)],
    )?;
    Ok(())
}
