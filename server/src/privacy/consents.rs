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

use chrono::{DateTime, Utc};
use lobby_model::domain::consent::{check_answer, check_version, ConsentKind};
use lobby_model::protocol::{ConsentRecord, PolicyPublished, PolicyRecord, Record};
use lobby_model::scope;
use lobby_model::ErrorCode;

use crate::error::{AppError, AppResult};
use crate::storage::{Inserted, NewConsent, Tx};

/// Brings `version` of the `kind` document into force.
pub fn publish(
    tx: &mut dyn Tx,
    kind: &str,
    version: &str,
    now: DateTime<Utc>,
) -> AppResult<PolicyPublished> {
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

/// `consent_set`: the person agrees to (`given`) or withdraws from `version` of `kind`.
pub fn answer(
    tx: &mut dyn Tx,
    mutation_id: &str,
    person_id: &str,
    kind: &str,
    version: &str,
    given: bool,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let kind = ConsentKind::parse(kind)?;
    let current = tx.current_policy(kind.as_str())?;
    check_answer(kind, version, given, current.as_deref())?;
    tx.add_consent(&NewConsent {
        id: mutation_id,
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
