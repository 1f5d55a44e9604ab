//! Opening and closing meetings and items, and the ballot log (DESIGN.md §2.7,
//! *Integrity*; the chain's format is `domain::voting::chain`).
//!
//! - **The attendance register** is in the chain too (a unit present counts towards
//!   *attending* and *did not vote*): entries for units recorded before the opening
//!   follow the snapshot; later ones are appended as they are recorded.
//! - **Opening a meeting** freezes the eligibility snapshot — every unit of the project
//!   with its weight after the s.45 cap (or one per plot), whether it may vote (arrears
//!   at a general meeting: the months its invoices are overdue as of the opening, or the
//!   flag staff set, whichever is more), its registered proxy — and writes it as the
//!   chain's first entry. Proxies and arrears recorded later do not change who votes at this meeting.
//! - **An item** opens only while its meeting is open; a vote is accepted only while the
//!   item is open, by the server's clock (the unit of work that appends the ballot is
//!   the one that reads the item's status).
//! - **Closing an item** appends its closing entry, computes its tally from the chain
//!   with the same function the phone will use (`tally_from_chain`), decides whether it
//!   passed, and stores the result with the chain head; the result is final.

use chrono::{DateTime, Utc};
use lobby_model::domain::voting::chain::{
    link_after, tally_from_chain, Entry, Snapshot, SnapshotUnit,
};
use lobby_model::domain::voting::eligibility::{unit_may_vote, MeetingKind};
use lobby_model::domain::voting::resolution::ResolutionType;
use lobby_model::domain::voting::tally::{passed, Tally};
use lobby_model::domain::voting::weights::{unit_weights, UnitShare, WeightRule};
use lobby_model::protocol::ProjectKind;
use lobby_model::ErrorCode;

use super::records::{log_item, log_meeting};
use super::{meeting_for, no_such_meeting};
use crate::error::{AppError, AppResult};
use crate::storage::{Inserted, StaffMember, Storage, StoredAgendaItem, StoredItemResult, Tx};

/// An item's published result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemResult {
    pub tally: Tally,
    pub passed: bool,
    pub chain_head: String,
}

fn conflict(why: &str) -> AppError {
    AppError::new(ErrorCode::Conflict, why.to_string())
}

/// Appends `entry` to the meeting's chain (inside the caller's unit of work); the new
/// link's place and hash.
pub(crate) fn append(tx: &mut dyn Tx, meeting_id: &str, entry: Entry) -> AppResult<(u64, String)> {
    let last = tx.last_ballot_link(meeting_id)?;
    let link = link_after(
        last.as_ref().map(|(seq, hash)| (*seq, hash.as_str())),
        entry,
    );
    if tx.append_ballot_entry(meeting_id, &link)? == Inserted::Duplicate {
        return Err(AppError::server(
            "ballot log",
            "a concurrent append took the place",
        ));
    }
    Ok((link.seq, link.hash))
}

/// Opens the meeting: freezes and logs the eligibility snapshot.
pub fn open_meeting(
    db: &dyn Storage,
    staff: &StaffMember,
    meeting_id: &str,
    now: DateTime<Utc>,
) -> AppResult<()> {
    db.write(|tx| {
        let m = meeting_for(tx, staff, meeting_id)?;
        if !tx.set_meeting_status(meeting_id, "draft", "open")? {
            return Err(conflict("the meeting was already opened"));
        }
        let kind = MeetingKind::parse(&m.kind)?;
        let project = tx
            .project(&m.project_id)?
            .ok_or_else(|| AppError::server("meeting", "its project is missing"))?;
        let rule = match project.kind {
            ProjectKind::Condominium => WeightRule::OwnershipRatio,
            ProjectKind::HousingEstate => WeightRule::OnePerPlot,
        };
        let units = tx.project_units(&m.project_id)?;
        let shares: Vec<UnitShare> = units
            .iter()
            .map(|u| UnitShare {
                unit_id: u.record.id.clone(),
                owner_id: u.owner_person_id.clone(),
                ratio: u.record.ownership_ratio,
            })
            .collect();
        let weights = unit_weights(&shares, rule);
        let proxies: std::collections::BTreeMap<String, String> =
            tx.proxies(meeting_id)?.into_iter().collect();
        // Arrears as of now: the invoices' count (months fall due without an event) or
        // the flag staff set, whichever is more.
        let mut arrears = std::collections::BTreeMap::new();
        for u in &units {
            let billed = crate::invoices::arrears_of(tx, &u.record.id, now.date_naive())?;
            arrears.insert(
                u.record.id.clone(),
                billed.unwrap_or(0).max(u.record.arrears_months),
            );
        }
        let months = |u: &crate::storage::StoredUnit| {
            arrears
                .get(&u.record.id)
                .copied()
                .unwrap_or(u.record.arrears_months)
        };
        let snapshot = Snapshot {
            meeting_id: meeting_id.to_string(),
            kind: kind.as_str().to_string(),
            reconvened: m.reconvened,
            all_votes: weights.all_votes,
            units: units
                .iter()
                .map(|u| SnapshotUnit {
                    unit_id: u.record.id.clone(),
                    weight: weights
                        .by_unit
                        .get(&u.record.id)
                        .copied()
                        .unwrap_or_default(),
                    may_vote: unit_may_vote(kind, months(u)),
                    arrears_months: months(u),
                    proxy_holder: proxies.get(&u.record.id).cloned(),
                })
                .collect(),
            frozen_at: now,
        };
        tx.freeze_units(meeting_id, &snapshot.units)?;
        append(tx, meeting_id, Entry::Snapshot(snapshot))?;
        // Units recorded present before the opening enter the chain right after it.
        for unit_id in tx.attendance(meeting_id)? {
            append(tx, meeting_id, Entry::Attendance { unit_id, at: now })?;
        }
        log_meeting(tx, meeting_id, now)
    })
}

/// Closes the meeting (every item must be closed first).
pub fn close_meeting(
    db: &dyn Storage,
    staff: &StaffMember,
    meeting_id: &str,
    now: DateTime<Utc>,
) -> AppResult<()> {
    db.write(|tx| {
        meeting_for(tx, staff, meeting_id)?;
        if tx
            .agenda_items(meeting_id)?
            .iter()
            .any(|i| i.status == "open")
        {
            return Err(conflict("close the open items first"));
        }
        if !tx.set_meeting_status(meeting_id, "open", "closed")? {
            return Err(conflict("only an open meeting can be closed"));
        }
        log_meeting(tx, meeting_id, now)
    })
}

/// The item and its meeting, if `staff` may act on them.
fn item_for(tx: &mut dyn Tx, staff: &StaffMember, item_id: &str) -> AppResult<StoredAgendaItem> {
    let item = tx
        .agenda_item(item_id)?
        .ok_or_else(|| AppError::not_found("no such item"))?;
    meeting_for(tx, staff, &item.meeting_id).map_err(|_| AppError::not_found("no such item"))?;
    Ok(item)
}

/// Opens an item's voting (its meeting must be open).
pub fn open_item(
    db: &dyn Storage,
    staff: &StaffMember,
    item_id: &str,
    now: DateTime<Utc>,
) -> AppResult<()> {
    db.write(|tx| {
        let item = item_for(tx, staff, item_id)?;
        let m = tx.meeting(&item.meeting_id)?.ok_or_else(no_such_meeting)?;
        if m.status != "open" {
            return Err(conflict("open the meeting first"));
        }
        if !tx.set_item_status(item_id, "pending", "open")? {
            return Err(conflict("the item was already opened"));
        }
        log_item(tx, item_id, now)
    })
}

/// Closes an item: logs the closing, computes and publishes its result.
pub fn close_item(
    db: &dyn Storage,
    staff: &StaffMember,
    item_id: &str,
    now: DateTime<Utc>,
) -> AppResult<ItemResult> {
    db.write(|tx| {
        let item = item_for(tx, staff, item_id)?;
        if !tx.set_item_status(item_id, "open", "closed")? {
            return Err(conflict("only an open item can be closed"));
        }
        let (_, chain_head) = append(
            tx,
            &item.meeting_id,
            Entry::ItemClosed {
                item_id: item_id.to_string(),
                at: now,
            },
        )?;
        let chain = tx.ballot_log(&item.meeting_id)?;
        let tally = tally_from_chain(&chain, item_id)
            .ok_or_else(|| AppError::server("ballot log", "no snapshot"))?;
        let resolution = ResolutionType::parse(&item.resolution)?;
        let result = ItemResult {
            passed: passed(resolution, &tally),
            tally,
            chain_head,
        };
        tx.store_item_result(
            item_id,
            &StoredItemResult {
                tally: tally_json(&result.tally).to_string(),
                passed: result.passed,
                chain_head: result.chain_head.clone(),
            },
        )?;
        log_item(tx, item_id, now)?;
        Ok(result)
    })
}

/// INTERFACE.md's `TALLY`: weights as exact decimal strings.
pub fn tally_json(t: &Tally) -> serde_json::Value {
    serde_json::json!({
        "approve": t.approve,
        "disapprove": t.disapprove,
        "abstain": t.abstain,
        "did_not_vote": t.did_not_vote,
        "attending": t.attending,
        "all_votes": t.all_votes,
        "quorum": t.quorum,
    })
}
