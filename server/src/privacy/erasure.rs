//! Erasure of a person (issue 11), carried out when staff approve an erasure request, in
//! the same unit of work as the answer: all of it happens or none.
//!
//! 1. Refused with `still_owns_unit` while the person owns a unit
//!    (`domain::erasure::check_erasable`): the registry needs an owner per unit.
//! 2. Their active memberships end (the unit's owners' phones drop the member) and every
//!    sign-in and device key is revoked: the person's phones wipe at their next contact.
//! 3. Each table is treated as [`personal_data::HOLDINGS`] declares: rows deleted,
//!    columns overwritten, text naming the person replaced; what the law keeps (the
//!    ballot log, financial records) stays, holding ids only.
//! 4. The change log: every entry whose record contains the person's name, phone or
//!    e-mail is rewritten with those strings replaced, so a phone syncing from scratch
//!    finds none; where a rewritten record is the latest of its entity, the redacted
//!    record is logged again, so phones that already hold the old copy replace it.
//!
//! The work is bounded by the person's rows and the log entries that name them: the log
//! is read in pages of [`PAGE`] entries matching the identifiers.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};
use lobby_model::domain::erasure::{check_erasable, redact_json, Identifiers, ERASED};
use lobby_model::protocol::{EntityKind, ErasedRows, ErasureReport, Record};

use super::personal_data::{Blank, Erase, HOLDINGS, UNITS_OWNED};
use crate::change_log::records;
use crate::error::{AppError, AppResult};
use crate::storage::{Cell, PersonRows, Tx};

/// Change-log entries read at a time.
const PAGE: usize = 500;

/// An entity of the change log within a scope: its kind and id.
type Entity = (EntityKind, String);

/// How many units the person owns (the declaration's `units_owned` rows).
fn units_owned(tx: &mut dyn Tx, person_id: &str) -> AppResult<usize> {
    let rows = PersonRows {
        table: UNITS_OWNED.table,
        link: UNITS_OWNED.link,
        person_id,
    };
    Ok(tx
        .person_rows(&rows, &[UNITS_OWNED.key], UNITS_OWNED.key)?
        .len())
}

/// People erased per retention run (the rest wait a minute for the next).
const DEPARTED_PER_RUN: usize = 100;

/// Retention's `departed_accounts`: erases each person whose last membership ended at or
/// before `left_by` and who has none left (nor a unit); how many.
pub fn erase_departed(
    tx: &mut dyn Tx,
    left_by: DateTime<Utc>,
    now: DateTime<Utc>,
) -> AppResult<usize> {
    let people = tx.departed_people(left_by, DEPARTED_PER_RUN)?;
    for person_id in &people {
        erase(tx, person_id, now)?;
    }
    Ok(people.len())
}

/// Erases the person (see the module documentation).
pub fn erase(tx: &mut dyn Tx, person_id: &str, now: DateTime<Utc>) -> AppResult<ErasureReport> {
    let person = tx
        .person(person_id)?
        .ok_or_else(|| AppError::not_found("no such person"))?;
    check_erasable(units_owned(tx, person_id)?)?;
    let who = Identifiers::new(
        &[&person.legal_name, &person.display_name],
        person.phone.as_deref(),
        person.email.as_deref(),
    );

    for m in tx.active_memberships_of(person_id)? {
        if tx.end_membership(&m.id, now)? {
            records::member_removed(tx, &m, now)?;
        }
    }
    crate::sessions::end_person_sign_ins(tx, person_id, now)?;

    let mut report = ErasureReport::default();
    for h in HOLDINGS {
        let rows = PersonRows {
            table: h.table,
            link: h.link,
            person_id,
        };
        let (action, n) = match h.erase {
            Erase::Keep => continue,
            Erase::Delete => ("deleted", tx.delete_person_rows(&rows)?),
            Erase::Set(columns) => {
                let set: Vec<(&str, Cell)> = columns
                    .iter()
                    .map(|(c, b)| {
                        let v = match b {
                            Blank::Null => Cell::Null,
                            Blank::Erased => Cell::Text(ERASED.to_string()),
                            Blank::Now => Cell::Int(now.timestamp_millis()),
                        };
                        (*c, v)
                    })
                    .collect();
                ("overwritten", tx.set_person_rows(&rows, &set)?)
            }
            Erase::RedactNames(columns) => {
                let mut n = 0;
                for column in columns {
                    for row in tx.person_rows(&rows, &[h.key, column], h.key)? {
                        if let [Cell::Text(key), Cell::Text(text)] = row.as_slice() {
                            if who.names_in(text) {
                                let erased = Cell::Text(ERASED.to_string());
                                tx.set_cell(h.table, h.key, key, column, &erased)?;
                                n += 1;
                            }
                        }
                    }
                }
                ("overwritten", n)
            }
        };
        if n > 0 {
            report.tables.push(ErasedRows {
                table: h.table.to_string(),
                action: action.to_string(),
                rows: n as u64,
            });
        }
    }
    report.change_log_entries = redact_change_log(tx, &who, now)?;
    Ok(report)
}

/// Step 4 of the module documentation; how many entries were rewritten.
fn redact_change_log(tx: &mut dyn Tx, who: &Identifiers, now: DateTime<Utc>) -> AppResult<u64> {
    // scope → (kind, id) → the newest rewritten record of that entity, with its seq.
    let mut newest: BTreeMap<String, HashMap<Entity, (i64, Record)>> = BTreeMap::new();
    let rewritten = redact_entries(
        tx,
        who,
        |_, _| true,
        |scope, seq, value| {
            let record: Record =
                serde_json::from_value(value).map_err(|e| AppError::server("erasure", e))?;
            let key = (record.kind(), record.id().to_string());
            newest.entry(scope).or_default().insert(key, (seq, record));
            Ok(())
        },
    )?;
    for (scope, entities) in newest {
        let first = entities.values().map(|e| e.0).min().unwrap_or(0);
        let latest = latest_seqs(tx, &scope, first)?;
        for (key, (seq, record)) in entities {
            // Logged again later: that later entry is what phones hold (and it was
            // redacted too if it named the person).
            if latest.get(&key).is_some_and(|&l| l > seq) {
                continue;
            }
            tx.append_change(&scope, &record, now)?;
        }
    }
    Ok(rewritten)
}

/// After a contact correction: rewrites the person's earlier `profile` records in their
/// scope that still hold the replaced contact (`old`). The caller has just logged the
/// corrected profile, which supersedes them on every phone; rewritten, they no longer
/// hold a number or address the person gave up (and that a later erasure would not know
/// to look for). How many entries were rewritten.
pub fn forget_superseded_profiles(
    tx: &mut dyn Tx,
    person_id: &str,
    old: &Identifiers,
) -> AppResult<u64> {
    let own = lobby_model::scope::person(person_id);
    redact_entries(
        tx,
        old,
        |scope, value| {
            scope == own
                && serde_json::from_value::<Record>(value.clone())
                    .is_ok_and(|r| r.kind() == EntityKind::Profile)
        },
        |_, _, _| Ok(()),
    )
}

/// Pages through the change-log entries that contain one of `who`'s identifiers; each
/// that `wanted` accepts (by scope and record) and that names them is rewritten in place,
/// redacted, and handed to `rewritten` (its scope, seq and redacted record). How many
/// entries were rewritten.
fn redact_entries(
    tx: &mut dyn Tx,
    who: &Identifiers,
    wanted: impl Fn(&str, &serde_json::Value) -> bool,
    mut rewritten: impl FnMut(String, i64, serde_json::Value) -> AppResult<()>,
) -> AppResult<u64> {
    let mut count = 0u64;
    let mut after = 0;
    loop {
        let page = tx.changes_containing(who.needles(), after, PAGE)?;
        let Some((_, last)) = page.last() else {
            return Ok(count);
        };
        after = last.seq;
        for (scope, change) in page {
            let mut value: serde_json::Value = serde_json::from_str(&change.record_json)
                .map_err(|e| AppError::server("change-log redaction", e))?;
            if !wanted(&scope, &value) || !redact_json(&mut value, who) {
                continue;
            }
            tx.rewrite_change(change.seq, &value.to_string())?;
            count += 1;
            rewritten(scope, change.seq, value)?;
        }
    }
}

/// The newest `seq` of each entity (kind, id) the scope logged after `after - 1`.
fn latest_seqs(tx: &mut dyn Tx, scope: &str, from: i64) -> AppResult<HashMap<Entity, i64>> {
    let mut latest = HashMap::new();
    let mut after = from - 1;
    loop {
        let page = tx.changes_after(scope, after, PAGE)?;
        let Some(last) = page.last() else {
            return Ok(latest);
        };
        after = last.seq;
        for c in &page {
            let r: Record =
                serde_json::from_str(&c.record_json).map_err(|e| AppError::server("erasure", e))?;
            latest.insert((r.kind(), r.id().to_string()), c.seq);
        }
    }
}
