//! `vote` (DESIGN.md §2.7): a unit's choice on an open agenda item, appended to the
//! meeting's ballot log.
//!
//! Who may vote comes from the eligibility snapshot frozen when the meeting opened (the
//! chain's first entry, kept row by row in `meeting_units` so a vote reads one row): the
//! unit's weight, whether it may vote (arrears), its proxy
//! holder. The owner is the registry's owner of the unit. The item must be open when the
//! vote *arrives*: a vote queued offline that reaches the server after the close is
//! `voting_closed`, and the phone says so. A later vote for the same unit and item
//! replaces the earlier one in the tally (the earlier stays in the log, as history).
//! Each accepted vote's receipt — its entry's hash and place — is logged in the voter's
//! `person:` scope, so it reaches their phones with the next pull.

use chrono::{DateTime, Utc};
use lobby_model::domain::voting::chain::{Ballot, Entry};
use lobby_model::domain::voting::eligibility::{check_voter, MeetingKind, Standing};
use lobby_model::domain::voting::resolution::ResolutionType;
use lobby_model::domain::voting::tally::Choice;
use lobby_model::ErrorCode;

use crate::error::{AppError, AppResult};
use crate::meetings::records::log_receipt;
use crate::meetings::voting::append;
use crate::storage::Tx;

/// Casts the vote pushed as `mutation_id`; its receipt goes to the voter's phones.
pub fn cast(
    tx: &mut dyn Tx,
    mutation_id: &str,
    person_id: &str,
    item_id: &str,
    unit_id: &str,
    choice: &str,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let choice = Choice::parse(choice)?;
    let item = tx
        .agenda_item(item_id)?
        .ok_or_else(|| AppError::not_found("no such agenda item"))?;
    if ResolutionType::parse(&item.resolution)? == ResolutionType::Information {
        return Err(AppError::invalid(
            "this item is for information only: there is nothing to vote on",
        ));
    }
    if item.status != "open" {
        return Err(AppError::new(
            ErrorCode::VotingClosed,
            if item.status == "closed" {
                "voting on this item has closed; the vote was not counted"
            } else {
                "voting on this item has not opened yet"
            },
        ));
    }
    let meeting = tx
        .meeting(&item.meeting_id)?
        .ok_or_else(|| AppError::server("meetings", "an item without its meeting"))?;
    let not_eligible = || {
        AppError::new(
            ErrorCode::NotEligible,
            "only the unit's owner or its registered proxy votes for it",
        )
    };
    let frozen = tx
        .frozen_unit(&item.meeting_id, unit_id)?
        .ok_or_else(not_eligible)?;
    let owner = tx.unit(unit_id)?.map(|u| u.owner_person_id);
    let standing = if owner.as_deref() == Some(person_id) {
        Standing::Owner
    } else if frozen.proxy_holder.as_deref() == Some(person_id) {
        Standing::Proxy
    } else {
        Standing::Other
    };
    check_voter(
        MeetingKind::parse(&meeting.kind)?,
        standing,
        frozen.arrears_months,
    )?;
    let ballot = Ballot {
        item_id: item_id.to_string(),
        unit_id: unit_id.to_string(),
        choice: choice.as_str().to_string(),
        weight: frozen.weight,
        cast_by: person_id.to_string(),
        proxy: standing == Standing::Proxy,
        at: now,
    };
    let (seq, hash) = append(tx, &item.meeting_id, Entry::Ballot(ballot.clone()))?;
    log_receipt(
        tx,
        &item.meeting_id,
        &ballot,
        (seq, &hash),
        Some(mutation_id),
        now,
    )
}
