//! The change log, pull, push and the schema epoch (DESIGN.md §4).

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use lobby_model::domain::contact::normalize_email;
use lobby_model::domain::profile::check_display_name;
use lobby_model::protocol::{Mutation, MutationEnvelope, MutationOutcome, PullRequest, Record};
use lobby_model::{ErrorCode, LobbyError};
use rusqlite::{params, OptionalExtension, Transaction};
use serde_json::value::RawValue;

use super::accounts::{email_taken, profile};
use super::{invites, ms, parse_role};
use crate::error::{AppError, AppResult};
use crate::storage::{PullPage, RawChange};
use crate::sync_rules::{
    needs_reset, next_cursors, page_limit, person_scope, removed_scopes, visible_scopes,
    ActiveMembership,
};

/// Appends one record to the change log in `scope`; returns its `seq`.
pub(super) fn append_change(
    tx: &Transaction,
    scope: &str,
    record: &Record,
    now: DateTime<Utc>,
) -> AppResult<i64> {
    let json = serde_json::to_string(record)?;
    tx.execute(
        "INSERT INTO changes (scope, record, created_at) VALUES (?1, ?2, ?3)",
        params![scope, json, ms(now)],
    )?;
    Ok(tx.last_insert_rowid())
}

fn meta_i64(tx: &Transaction, key: &str) -> AppResult<i64> {
    let v: String = tx.query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))?;
    v.parse().map_err(|e| AppError::server("meta", e))
}

fn epoch(tx: &Transaction) -> AppResult<u32> {
    u32::try_from(meta_i64(tx, "epoch")?).map_err(|e| AppError::server("meta", e))
}

pub(super) fn bump_epoch(tx: &Transaction) -> AppResult<u32> {
    let next = epoch(tx)?
        .checked_add(1)
        .ok_or_else(|| AppError::server("meta", "epoch overflow"))?;
    tx.execute(
        "UPDATE meta SET value = ?1 WHERE key = 'epoch'",
        [next.to_string()],
    )?;
    Ok(next)
}

pub(super) fn pull(tx: &Transaction, person_id: &str, req: &PullRequest) -> AppResult<PullPage> {
    let epoch = epoch(tx)?;
    if needs_reset(
        req.epoch,
        epoch,
        &req.cursors,
        meta_i64(tx, "retention_floor")?,
    ) {
        return Ok(PullPage {
            epoch,
            reset: true,
            changes: Vec::new(),
            cursors: BTreeMap::new(),
            removed_scopes: Vec::new(),
            has_more: false,
        });
    }
    let memberships: Vec<ActiveMembership> = tx
        .prepare(
            "SELECT m.unit_id, u.project_id, m.role FROM memberships m JOIN units u ON u.id = m.unit_id
             WHERE m.person_id = ?1 AND m.ended_at IS NULL",
        )?
        .query_map([person_id], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?))
        })?
        .map(|row| {
            let (unit_id, project_id, role) = row?;
            Ok(ActiveMembership {
                unit_id,
                project_id,
                role: parse_role(&role)?,
            })
        })
        .collect::<AppResult<_>>()?;
    let visible = visible_scopes(person_id, &memberships);
    let limit = page_limit(req.limit);

    // Each scope's next `limit + 1` entries, merged in global order: the page is the
    // first `limit` of them, and one more tells whether there is more.
    let mut rows: Vec<(i64, String, String)> = Vec::new();
    {
        let mut stmt = tx.prepare(
            "SELECT seq, record FROM changes WHERE scope = ?1 AND seq > ?2 ORDER BY seq LIMIT ?3",
        )?;
        for scope in &visible {
            let after = req.cursors.get(scope).copied().unwrap_or(0);
            let found = stmt.query_map(params![scope, after, (limit + 1) as i64], |r| {
                Ok((r.get::<_, i64>(0)?, scope.clone(), r.get::<_, String>(1)?))
            })?;
            for row in found {
                rows.push(row?);
            }
        }
    }
    rows.sort_unstable_by_key(|(seq, _, _)| *seq);
    let has_more = rows.len() > limit;
    rows.truncate(limit);
    let head: i64 = tx.query_row("SELECT COALESCE(MAX(seq), 0) FROM changes", [], |r| {
        r.get(0)
    })?;
    let last = rows.last().map(|(seq, _, _)| *seq);
    let changes = rows
        .into_iter()
        .map(|(seq, scope, record)| {
            let record = RawValue::from_string(record)?;
            Ok(RawChange { seq, scope, record })
        })
        .collect::<AppResult<Vec<_>>>()?;
    Ok(PullPage {
        epoch,
        reset: false,
        changes,
        cursors: next_cursors(&visible, &req.cursors, last, has_more, head),
        removed_scopes: removed_scopes(&req.cursors, &visible),
        has_more,
    })
}

pub(super) fn push_one(
    tx: &Transaction,
    person_id: &str,
    env: &MutationEnvelope,
    now: DateTime<Utc>,
) -> AppResult<MutationOutcome> {
    let id = env.id.to_string();
    let seen: Option<(String, String)> = tx
        .query_row(
            "SELECT person_id, result FROM mutations WHERE id = ?1",
            [&id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    if let Some((owner, result)) = seen {
        if owner == person_id {
            return Ok(serde_json::from_str(&result)?);
        }
        return Ok(rejected(&LobbyError::new(
            ErrorCode::Conflict,
            "this mutation id was already used by another account",
        )));
    }
    // A refused mutation keeps none of its writes, only its recorded result: apply runs
    // inside a savepoint that a refusal rolls back.
    tx.execute_batch("SAVEPOINT apply_mutation")?;
    let outcome = match apply(tx, person_id, &env.mutation, now) {
        Ok(()) => {
            tx.execute_batch("RELEASE apply_mutation")?;
            MutationOutcome::Applied
        }
        Err(e) if e.code() == ErrorCode::ServerError => return Err(e),
        Err(e) => {
            tx.execute_batch("ROLLBACK TO apply_mutation; RELEASE apply_mutation")?;
            rejected(&e.error)
        }
    };
    tx.execute(
        "INSERT INTO mutations (id, person_id, kind, result, applied_at) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![id, person_id, env.mutation.kind(), serde_json::to_string(&outcome)?, ms(now)],
    )?;
    Ok(outcome)
}

fn rejected(e: &LobbyError) -> MutationOutcome {
    MutationOutcome::Rejected {
        code: e.code.as_str().to_string(),
        message: e.message.clone(),
    }
}

fn apply(
    tx: &Transaction,
    person_id: &str,
    mutation: &Mutation,
    now: DateTime<Utc>,
) -> AppResult<()> {
    match mutation {
        Mutation::ProfileUpdate {
            display_name,
            email,
        } => {
            let display_name = display_name
                .as_deref()
                .map(check_display_name)
                .transpose()?;
            let email = email.as_deref().map(normalize_email).transpose()?;
            if display_name.is_none() && email.is_none() {
                return Ok(());
            }
            if let Some(e) = &email {
                if email_taken(tx, e, person_id)? {
                    return Err(AppError::new(
                        ErrorCode::Conflict,
                        "this e-mail address belongs to another account",
                    ));
                }
            }
            tx.execute(
                "UPDATE people SET display_name = COALESCE(?2, display_name), email = COALESCE(?3, email) WHERE id = ?1",
                params![person_id, display_name, email],
            )?;
            let record = Record::Profile(profile(tx, person_id)?);
            append_change(tx, &person_scope(person_id), &record, now)?;
            // The owners of units where this person is a resident or tenant list them
            // by name.
            invites::log_member_records(tx, person_id, now)?;
            Ok(())
        }
        Mutation::InviteCreate {
            invite_id,
            unit_id,
            role,
            code,
        } => invites::create(
            tx,
            person_id,
            &invites::NewInvite {
                id: invite_id.to_string(),
                unit_id,
                role: *role,
                code,
            },
            now,
        ),
        Mutation::InviteRevoke { invite_id } => {
            invites::revoke(tx, person_id, &invite_id.to_string(), now)
        }
        Mutation::MemberRemove { membership_id } => {
            invites::remove_member(tx, person_id, membership_id, now)
        }
    }
}
