//! Documents in force and the people's answers to them (DESIGN.md §2.8).
//!
//! - **Publishing** a version of the terms, the privacy policy or the marketing notice is
//!   a platform staff action: one `policy` record in `policies:platform`, which every
//!   signed-in phone pulls; each phone then asks its person with
//!   `domain::consent::to_ask`. A version is published once (`conflict` again).
//! - **Answering** is a pushed mutation (`consent_set`): checked against the version in
//!   force by `domain::consent::check_answer`, kept as an event (a withdrawal too, never
//!   a deletion — the record of consent is what the law asks the controller to show),
//!   and the latest answer per kind logged as a `consent` record in the person's scope.
//! - **At onboarding** the new owner answers the documents the preview listed
//!   ([`in_force`]); completing the onboarding records them with [`answer_all`], through
//!   the same [`record`] as `consent_set`, so both paths keep the same events and records.

use chrono::{DateTime, SubsecRound, Utc};
use lobby_model::domain::consent::{check_answer, check_version, ConsentKind};
use lobby_model::protocol::{ConsentAnswer, ConsentRecord, PolicyPublished, PolicyRecord, Record};
use lobby_model::scope;
use lobby_model::ErrorCode;

use crate::error::{AppError, AppResult};
use crate::ids::new_id;
use crate::storage::{Inserted, NewConsent, Tx};

/// Brings `version` of the `kind` document into force.
pub fn publish(
    tx: &mut dyn Tx,
    kind: &str,
    version: &str,
    now: DateTime<Utc>,
) -> AppResult<PolicyPublished> {
    // Kept to the millisecond, as storage keeps it: the answer, the logged record and
    // an onboarding preview then agree on when it was published.
    let now = now.trunc_subsecs(3);
    let kind = ConsentKind::parse(kind)?;
    let version = check_version(version)?;
    if tx.publish_policy(kind.as_str(), version, now)? == Inserted::Duplicate {
        return Err(AppError::new(
            ErrorCode::Conflict,
            format!(
                "version {version} of the {} document was published already",
                kind.as_str()
            ),
        ));
    }
    tx.append_change(
        &scope::policies(),
        &Record::Policy(PolicyRecord {
            id: kind.as_str().to_string(),
            kind: kind.as_str().to_string(),
            version: version.to_string(),
            published_at: now,
        }),
        now,
    )?;
    Ok(PolicyPublished {
        kind: kind.as_str().to_string(),
        version: version.to_string(),
        published_at: now,
    })
}

/// The documents in force, one per kind in `ConsentKind::ALL` order; what an onboarding
/// preview shows the new owner to agree to.
pub fn in_force(tx: &mut dyn Tx) -> AppResult<Vec<PolicyPublished>> {
    let mut out = Vec::new();
    for kind in ConsentKind::ALL {
        if let Some((version, published_at)) = tx.policy_in_force(kind.as_str())? {
            out.push(PolicyPublished {
                kind: kind.as_str().to_string(),
                version,
                published_at,
            });
        }
    }
    Ok(out)
}

/// `consent_set`: the person agrees to (`given`) or withdraws from `version` of `kind`;
/// the mutation's id names the event.
pub fn answer(
    tx: &mut dyn Tx,
    mutation_id: &str,
    person_id: &str,
    a: &ConsentAnswer,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let kind = ConsentKind::parse(&a.kind)?;
    record(tx, mutation_id, person_id, kind, &a.version, a.given, now)
}

/// The answers given at onboarding, recorded with the account in its unit of work
/// (`onboarding::verify`): checked together (one per kind, `check_answers`), then each as
/// a `consent_set` is. An agreement to a version replaced since the preview is
/// `conflict`, which refuses the whole onboarding.
pub fn answer_all(
    tx: &mut dyn Tx,
    person_id: &str,
    answers: &[ConsentAnswer],
    now: DateTime<Utc>,
) -> AppResult<()> {
    for (kind, version, given) in ConsentAnswer::check_all(answers)? {
        record(tx, &new_id(), person_id, kind, version, given, now)?;
    }
    Ok(())
}

/// Answers to keep for later (an onboarding's start): checked together and against the
/// versions in force now, as completing will check them again, so a stale or unpublished
/// version is refused before a code is sent.
pub fn check_all(tx: &mut dyn Tx, answers: &[ConsentAnswer]) -> AppResult<()> {
    for (kind, version, given) in ConsentAnswer::check_all(answers)? {
        check_in_force(tx, kind, version, given)?;
    }
    Ok(())
}

/// `check_answer` against the version of `kind` in force now.
fn check_in_force(tx: &mut dyn Tx, kind: ConsentKind, version: &str, given: bool) -> AppResult<()> {
    let current = tx.current_policy(kind.as_str())?;
    Ok(check_answer(kind, version, given, current.as_deref())?)
}

/// One answer: checked against the version in force (`check_answer`), kept as the event
/// `event_id` (never overwritten: a withdrawal is an event too), and logged as the
/// person's latest `consent` record in their scope.
fn record(
    tx: &mut dyn Tx,
    event_id: &str,
    person_id: &str,
    kind: ConsentKind,
    version: &str,
    given: bool,
    now: DateTime<Utc>,
) -> AppResult<()> {
    check_in_force(tx, kind, version, given)?;
    tx.add_consent(&NewConsent {
        id: event_id,
        person_id,
        kind: kind.as_str(),
        version,
        given,
        at: now,
    })?;
    tx.append_change(
        &scope::person(person_id),
        &Record::Consent(ConsentRecord {
            id: format!("{person_id}:{}", kind.as_str()),
            kind: kind.as_str().to_string(),
            version: version.to_string(),
            given,
            at: now,
        }),
        now,
    )?;
    Ok(())
}
