//! Completing an onboarding: the verified OTP's registration becomes an account (or
//! attaches to the signed-in one), an owner membership and a session, in one unit of
//! work that re-checks the token, so two concurrent uses cannot both succeed. A wrong
//! code is counted; anything refused after the code was accepted rolls it all back, the
//! code's use included.
//!
//! The consents answered at onboarding are recorded in the same unit of work, checked
//! against the versions in force at that moment: a document replaced since the preview
//! refuses the whole onboarding (`conflict`), so no account exists that agreed to a text
//! no longer in force, and the code can be used again once the owner has read the new one.

use chrono::{DateTime, Utc};
use lobby_model::protocol::{ConsentAnswer, MembershipRecord, Role};
use serde::{Deserialize, Serialize};

use super::token::{check_token_state, unknown_token};
use crate::accounts::{release_taken_email, require_activated};
use crate::change_log::records;
use crate::error::{AppError, AppResult};
use crate::ids::new_id;
use crate::otp_requests::{check_code, pending_of};
use crate::otp_sender::OtpPurpose;
use crate::privacy::consents;
use crate::sessions::{start_session, NewSession};
use crate::storage::{NewMembership, NewPerson, PersonChange, Storage, Tx};

/// The registration an onboarding OTP confirms.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PendingOnboarding {
    pub token_digest: String,
    pub unit_id: String,
    pub mode: PendingMode,
    /// The answers to the documents the preview listed (checked at start, checked again
    /// at completion against the versions then in force). Absent in registrations
    /// pending from before consents were asked at onboarding: none.
    #[serde(default)]
    pub consents: Vec<ConsentAnswer>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "mode")]
pub enum PendingMode {
    /// A signed-in person adds a unit to their account.
    Attach { person_id: String },
    /// A new account (or, if the verified phone already has one, that account).
    NewAccount {
        phone: String,
        email: Option<String>,
        display_name: Option<String>,
        password_hash: String,
    },
}

/// Checks an onboarding code and completes its registration; returns the person.
pub fn complete_onboarding(
    db: &dyn Storage,
    request_id: &str,
    code_digest: &str,
    session: &NewSession,
    now: DateTime<Utc>,
) -> AppResult<String> {
    db.write_then(|tx| {
        let otp = match check_code(tx, request_id, &[OtpPurpose::Onboarding], code_digest, now)? {
            Ok(otp) => otp,
            Err(e) => return Ok(Err(e)),
        };
        // From here on any failure rolls everything back, the code's use included.
        let pending: PendingOnboarding = pending_of(&otp, "onboarding")?;
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
        records::profile_changed(tx, &person_id, now)?;
        add_owner(tx, &person_id, &token_id, &unit_id, now)?;
        consents::answer_all(tx, &person_id, &pending.consents, now)?;
        start_session(tx, &person_id, session, now)?;
        Ok(Ok(person_id))
    })
}

/// A signed-in person claims the unit of another onboarding token (no OTP: the session
/// proves the person, the token the unit). Returns the unit id.
pub fn claim_onboarding(
    db: &dyn Storage,
    person_id: &str,
    token_digest: &str,
    now: DateTime<Utc>,
) -> AppResult<String> {
    db.write(|tx| {
        require_activated(tx, person_id)?;
        let (token_id, unit_id) = usable_token(tx, token_digest, now)?;
        add_owner(tx, person_id, &token_id, &unit_id, now)?;
        Ok(unit_id)
    })
}

/// The token's id and unit, if it may still be used at `now`.
fn usable_token(tx: &mut dyn Tx, digest: &str, now: DateTime<Utc>) -> AppResult<(String, String)> {
    let Some(token) = tx.onboarding_token(digest)? else {
        return Err(unknown_token().into());
    };
    check_token_state(&token.state, now)?;
    Ok((token.id, token.unit_id))
}

/// Makes `person_id` an owner of the unit (unless already a member), marks the token
/// used and logs the membership in the person's scope.
fn add_owner(
    tx: &mut dyn Tx,
    person_id: &str,
    token_id: &str,
    unit_id: &str,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let unit = tx
        .unit(unit_id)?
        .ok_or_else(|| AppError::server("onboarding", "token without unit"))?;
    let already = tx.active_membership(person_id, unit_id)?.is_some();
    tx.mark_onboarding_token_used(token_id, person_id, now)?;
    if !already {
        let m = MembershipRecord {
            id: new_id(),
            unit_id: unit_id.to_string(),
            project_id: unit.record.project_id,
            role: Role::Owner,
        };
        tx.insert_membership(
            &NewMembership {
                id: m.id.clone(),
                person_id: person_id.to_string(),
                unit_id: m.unit_id.clone(),
                role: m.role,
            },
            now,
        )?;
        records::membership_added(tx, person_id, m, now)?;
    }
    Ok(())
}

/// Who a verified phone makes the owner: the person already known by that phone
/// (activated or not); else the unit's registry owner if they have no account yet; else
/// a new person under the registry name (the registry owner's account uses another phone).
fn account_for_phone(
    tx: &mut dyn Tx,
    unit_id: &str,
    phone: &str,
    now: DateTime<Utc>,
) -> AppResult<String> {
    if let Some(p) = tx.person_by_phone(phone)? {
        return Ok(p.id);
    }
    let unit = tx
        .unit(unit_id)?
        .ok_or_else(|| AppError::server("onboarding", "token without unit"))?;
    let owner = tx
        .person(&unit.owner_person_id)?
        .ok_or_else(|| AppError::server("onboarding", "unit without owner"))?;
    if !owner.is_activated() {
        return Ok(owner.id);
    }
    let id = new_id();
    tx.insert_person(&NewPerson {
        id: id.clone(),
        phone: None,
        email: None,
        legal_name: owner.legal_name.clone(),
        display_name: owner.legal_name,
        activated_at: None,
        created_at: now,
    })?;
    Ok(id)
}

/// Makes `pid` an activated account with the verified phone and the chosen password.
/// A first activation also takes the chosen display name. The login e-mail is only the
/// registry's (vetted by the juristic office), and only if no other activated account
/// uses it (login by e-mail must stay unambiguous); an address typed at onboarding was
/// not proven — the code went to the phone — so it is not applied: the person changes
/// it from their profile with a code sent to it (`crate::contact_change`).
fn activate(
    tx: &mut dyn Tx,
    pid: &str,
    phone: &str,
    email: Option<&str>,
    display_name: Option<&str>,
    password_hash: &str,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let person = tx.person(pid)?;
    let was_active = person.as_ref().is_some_and(|p| p.is_activated());
    let mut change = PersonChange {
        phone: Some(phone.to_string()),
        password_hash: Some(password_hash.to_string()),
        ..PersonChange::default()
    };
    if was_active {
        return tx.update_person(pid, &change);
    }
    let registry_email = person.and_then(|p| p.email);
    if email.is_some() && email != registry_email.as_deref() {
        tracing::info!(person_id = %pid, "e-mail typed at onboarding not applied; it needs its own code");
    }
    release_taken_email(tx, pid)?;
    change.activated_at = Some(now);
    change.display_name = display_name.map(str::to_string);
    tx.update_person(pid, &change)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_registration_pending_from_before_consents_reads_as_answering_none() {
        let old = r#"{"token_digest":"d","unit_id":"u","mode":{"mode":"attach","person_id":"p"}}"#;
        let pending: PendingOnboarding = serde_json::from_str(old).unwrap();
        assert!(pending.consents.is_empty());
        assert!(matches!(pending.mode, PendingMode::Attach { .. }));
    }
}
