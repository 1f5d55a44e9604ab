//! What phones learn about meetings through the change log (DESIGN.md §4): each change to
//! a meeting or an agenda item logs its whole record again in its project's `meetings:`
//! scope (so every member — and every proxy holder — sees the agenda and when voting
//! opens and closes); a proxy is logged in its holder's `person:` scope, a vote's receipt in its
//! voter's. An item's result enters its record only when the item closes.

use chrono::{DateTime, Utc};
use lobby_model::domain::voting::chain::Ballot;
use lobby_model::protocol::{
    AgendaItemRecord, DeletedRecord, EntityKind, ItemResultRecord, MeetingProxyRecord,
    MeetingRecord, Record, VoteReceiptRecord,
};
use lobby_model::scope;

use crate::error::{AppError, AppResult};
use crate::storage::{StoredMeeting, Tx};

fn project_of(tx: &mut dyn Tx, meeting_id: &str) -> AppResult<StoredMeeting> {
    tx.meeting(meeting_id)?
        .ok_or_else(|| AppError::server("meetings", "a logged meeting is missing"))
}

/// Logs the meeting as it now is.
pub(crate) fn log_meeting(tx: &mut dyn Tx, meeting_id: &str, now: DateTime<Utc>) -> AppResult<()> {
    let m = project_of(tx, meeting_id)?;
    let record = MeetingRecord {
        id: m.id,
        project_id: m.project_id.clone(),
        title: m.title,
        kind: m.kind,
        reconvened: m.reconvened,
        status: m.status,
    };
    tx.append_change(
        &scope::meetings(&m.project_id),
        &Record::Meeting(record),
        now,
    )?;
    Ok(())
}

/// Logs the agenda item as it now is, with its result once closed.
pub(crate) fn log_item(tx: &mut dyn Tx, item_id: &str, now: DateTime<Utc>) -> AppResult<()> {
    let item = tx
        .agenda_item(item_id)?
        .ok_or_else(|| AppError::server("meetings", "a logged item is missing"))?;
    let m = project_of(tx, &item.meeting_id)?;
    let result = match tx.item_result(item_id)? {
        Some(r) => Some(Box::new(ItemResultRecord {
            tally: serde_json::from_str(&r.tally)
                .map_err(|e| AppError::server("item result", e))?,
            passed: r.passed,
            chain_head: r.chain_head,
        })),
        None => None,
    };
    let record = AgendaItemRecord {
        id: item.id,
        meeting_id: item.meeting_id,
        position: u32::try_from(item.position)
            .map_err(|_| AppError::server("meetings", "item position"))?,
        title: item.title,
        resolution: item.resolution,
        status: item.status,
        result,
    };
    tx.append_change(
        &scope::meetings(&m.project_id),
        &Record::AgendaItem(record),
        now,
    )?;
    Ok(())
}

fn proxy_id(meeting_id: &str, unit_id: &str) -> String {
    format!("{meeting_id}/{unit_id}")
}

/// Logs the proxy in its holder's scope.
pub(crate) fn log_proxy(
    tx: &mut dyn Tx,
    meeting: &StoredMeeting,
    unit_id: &str,
    holder_person_id: &str,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let unit = tx
        .unit(unit_id)?
        .ok_or_else(|| AppError::server("meetings", "a proxy's unit is missing"))?;
    let record = MeetingProxyRecord {
        id: proxy_id(&meeting.id, unit_id),
        meeting_id: meeting.id.clone(),
        project_id: meeting.project_id.clone(),
        unit_id: unit_id.to_string(),
        unit_number: unit.record.number,
    };
    tx.append_change(
        &scope::person(holder_person_id),
        &Record::MeetingProxy(record),
        now,
    )?;
    Ok(())
}

/// Tells a former holder the proxy is no longer theirs.
pub(crate) fn log_proxy_gone(
    tx: &mut dyn Tx,
    meeting_id: &str,
    unit_id: &str,
    former_holder: &str,
    now: DateTime<Utc>,
) -> AppResult<()> {
    tx.append_change(
        &scope::person(former_holder),
        &Record::Deleted(DeletedRecord {
            kind: EntityKind::MeetingProxy,
            id: proxy_id(meeting_id, unit_id),
        }),
        now,
    )?;
    Ok(())
}

/// Logs the receipt of an accepted vote in its voter's scope.
pub(crate) fn log_receipt(
    tx: &mut dyn Tx,
    meeting_id: &str,
    ballot: &Ballot,
    link: (u64, &str),
    mutation_id: Option<&str>,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let (seq, hash) = link;
    let record = VoteReceiptRecord {
        id: hash.to_string(),
        meeting_id: meeting_id.to_string(),
        item_id: ballot.item_id.clone(),
        unit_id: ballot.unit_id.clone(),
        choice: ballot.choice.clone(),
        seq,
        proxy: ballot.proxy,
        cast_at: ballot.at,
        mutation_id: mutation_id.map(str::to_string),
    };
    tx.append_change(
        &scope::person(&ballot.cast_by),
        &Record::VoteReceipt(record),
        now,
    )?;
    Ok(())
}
