//! `lobby meetings`, `lobby meeting show`, `lobby vote`, `lobby receipts verify`: co-owner
//! meetings from the phone's side (DESIGN.md §2.7). Listing syncs first when it can and
//! shows what the device holds when it cannot; a vote is queued and sent at once if the
//! server can be reached, so it answers `accepted` (with receipts) or `pending`.

use lobby_core::domain::voting::tally::{Choice, Tally};
use lobby_core::{
    AgendaItem, ErrorCode, ItemResult, Lobby, LobbyError, Meeting, MyVote, Result, SyncState,
    VoteState,
};
use serde_json::{json, Value};

use crate::output::Reply;

/// INTERFACE.md's `TALLY`: weights as exact JSON numbers.
pub fn tally_json(t: &Tally) -> Value {
    json!({
        "approve": t.approve.to_json_number(),
        "disapprove": t.disapprove.to_json_number(),
        "abstain": t.abstain.to_json_number(),
        "did_not_vote": t.did_not_vote.to_json_number(),
        "attending": t.attending.to_json_number(),
        "all_votes": t.all_votes.to_json_number(),
        "quorum": t.quorum,
    })
}

fn result_json(r: &ItemResult) -> Value {
    json!({"tally": tally_json(&r.tally), "passed": r.passed, "chain_head": r.chain_head})
}

fn state_str(s: VoteState) -> &'static str {
    match s {
        VoteState::Accepted => "accepted",
        VoteState::Pending => "pending",
    }
}

fn vote_json(v: &MyVote) -> Value {
    json!({
        "unit_id": v.unit_id,
        "choice": v.choice.as_str(),
        "status": state_str(v.state),
        "receipt": v.receipt,
    })
}

fn meeting_json(m: &Meeting) -> Value {
    json!({
        "meeting_id": m.meeting_id,
        "project_id": m.project_id,
        "title": m.title,
        "kind": m.kind,
        "reconvened": m.reconvened,
        "status": m.status,
        "items": m.items,
        "items_open": m.items_open,
    })
}

/// The person's vote on an item in one word: the choice when every unit voted the same,
/// `mixed` when they differ, null when none voted.
fn my_vote(item: &AgendaItem) -> Value {
    let mut choices = item.my_votes.iter().map(|v| v.choice.as_str());
    match choices.next() {
        None => Value::Null,
        Some(first) if choices.all(|c| c == first) => json!(first),
        Some(_) => json!("mixed"),
    }
}

/// Syncs when the server can be reached; says so when it cannot.
async fn refresh(lobby: &Lobby) -> Result<Option<&'static str>> {
    let report = lobby.sync().await?;
    Ok(match report.state {
        SyncState::Offline => Some("(offline: showing what this device has)"),
        _ => None,
    })
}

pub async fn list(lobby: &Lobby) -> Result<Reply> {
    let note = refresh(lobby).await?;
    let meetings = lobby.meetings().list()?;
    let mut human = match meetings.len() {
        0 => "No meetings.".to_string(),
        n => format!("{n} meeting(s):"),
    };
    for m in &meetings {
        human.push_str(&format!(
            "\n  {}  {} ({}, {}{}) — {} item(s), {} open",
            m.meeting_id,
            m.title,
            m.kind,
            m.status,
            if m.reconvened { ", reconvened" } else { "" },
            m.items,
            m.items_open
        ));
    }
    if let Some(n) = note {
        human.push_str(&format!("\n{n}"));
    }
    Ok(Reply::new(
        json!({"meetings": meetings.iter().map(meeting_json).collect::<Vec<_>>()}),
        human,
    ))
}

pub async fn show(lobby: &Lobby, meeting_id: &str) -> Result<Reply> {
    let note = refresh(lobby).await?;
    let d = lobby.meetings().show(meeting_id)?;
    let mut human = format!(
        "{} ({}, {})\nYou vote for: {}",
        d.meeting.title,
        d.meeting.kind,
        d.meeting.status,
        if d.voting_units.is_empty() {
            "no unit (only owners and their proxies vote)".to_string()
        } else {
            d.voting_units
                .iter()
                .map(|u| {
                    format!(
                        "{}{}",
                        u.unit_number,
                        if u.by_proxy { " (proxy)" } else { "" }
                    )
                })
                .collect::<Vec<_>>()
                .join(", ")
        }
    );
    let mut items = Vec::new();
    for i in &d.items {
        let mut v = json!({
            "item_id": i.item_id,
            "position": i.position,
            "title": i.title,
            "resolution": i.resolution,
            "status": i.status,
            "my_vote": my_vote(i),
            "my_votes": i.my_votes.iter().map(vote_json).collect::<Vec<_>>(),
            "refused": i.refused.iter().map(|r| json!({
                "unit_id": r.unit_id, "choice": r.choice.as_str(),
                "code": r.code.as_str(), "message": r.message,
            })).collect::<Vec<_>>(),
        });
        human.push_str(&format!(
            "\n  {}. {} [{}; {}] {}",
            i.position, i.title, i.resolution, i.status, i.item_id
        ));
        for mv in &i.my_votes {
            human.push_str(&format!(
                "\n       your vote for {}: {} ({})",
                unit_label(&d.voting_units, &mv.unit_id),
                mv.choice.as_str(),
                state_str(mv.state)
            ));
        }
        for r in &i.refused {
            human.push_str(&format!(
                "\n       NOT COUNTED for {}: {} — {}",
                unit_label(&d.voting_units, &r.unit_id),
                r.choice.as_str(),
                r.message
            ));
        }
        if let Some(r) = &i.result {
            v["result"] = result_json(r);
            human.push_str(&format!(
                "\n       result: {} — approve {}, disapprove {}, abstain {}, did not vote {}; attending {} of {}{}",
                if r.passed { "PASSED" } else { "not passed" },
                r.tally.approve,
                r.tally.disapprove,
                r.tally.abstain,
                r.tally.did_not_vote,
                r.tally.attending,
                r.tally.all_votes,
                if r.tally.quorum { "" } else { " (no quorum)" }
            ));
        }
        items.push(v);
    }
    if let Some(n) = note {
        human.push_str(&format!("\n{n}"));
    }
    Ok(Reply::new(
        json!({
            "meeting": meeting_json(&d.meeting),
            "voting_units": d.voting_units.iter().map(|u| json!({
                "unit_id": u.unit_id, "unit": u.unit_number, "by_proxy": u.by_proxy,
            })).collect::<Vec<_>>(),
            "items": items,
        }),
        human,
    ))
}

fn unit_label(units: &[lobby_core::VotingUnit], unit_id: &str) -> String {
    units
        .iter()
        .find(|u| u.unit_id == unit_id)
        .map(|u| u.unit_number.clone())
        .unwrap_or_else(|| unit_id.to_string())
}

pub async fn vote(
    lobby: &Lobby,
    item_id: &str,
    choice: &str,
    unit: Option<String>,
) -> Result<Reply> {
    let choice = Choice::parse(choice)?;
    let queued = match lobby.meetings().vote(item_id, choice, unit.as_deref()) {
        // An item this device has not synced yet (an id from a notice or another
        // device): fetch what the server has, then decide — offline, it stays not found.
        Err(e) if e.code == ErrorCode::NotFound => {
            lobby.sync().await?;
            lobby.meetings().vote(item_id, choice, unit.as_deref())?
        }
        other => other?,
    };
    // Send it now if the server can be reached; offline it stays queued.
    lobby.sync().await?;
    let item = lobby.meetings().item(item_id)?;
    let units: Vec<&str> = queued.iter().map(|q| q.unit_id.as_str()).collect();
    // A refusal of one of these votes (the item closed before it arrived) is final.
    if let Some(r) = item
        .refused
        .iter()
        .find(|r| units.contains(&r.unit_id.as_str()))
    {
        let text = if r.code == ErrorCode::VotingClosed {
            "Voting on this item closed before your vote reached the server: it was not counted."
                .to_string()
        } else {
            r.message.clone()
        };
        return Err(LobbyError::new(r.code, text));
    }
    let mine: Vec<&MyVote> = item
        .my_votes
        .iter()
        .filter(|v| units.contains(&v.unit_id.as_str()))
        .collect();
    let accepted = mine.len() == units.len()
        && mine
            .iter()
            .all(|v| v.state == VoteState::Accepted && v.choice == choice);
    let mut out = json!({
        "status": if accepted { "accepted" } else { "pending" },
        "votes": mine.iter().map(|v| vote_json(v)).collect::<Vec<_>>(),
    });
    let human = if accepted {
        let receipts: Vec<&str> = mine.iter().filter_map(|v| v.receipt.as_deref()).collect();
        out["receipts"] = json!(receipts);
        format!(
            "Counted: {} for {} unit(s). Receipt(s):\n  {}\nVotes can be changed until the item closes.",
            choice.as_str(),
            mine.len(),
            receipts.join("\n  ")
        )
    } else {
        format!(
            "Saved on this device: {} for {} unit(s). It is sent when the server can be reached; \
             if voting closes first, it will not be counted and you will be told.",
            choice.as_str(),
            units.len()
        )
    };
    Ok(Reply::new(out, human))
}

pub async fn verify(lobby: &Lobby, meeting_id: &str) -> Result<Reply> {
    // Receipts of votes just cast arrive with a pull.
    lobby.sync().await?;
    let r = lobby.meetings().verify_receipts(meeting_id).await?;
    let json = json!({
        "verified": r.verified.len(),
        "missing": r.missing,
        "unpublished": r.unpublished,
        "tally_matches": r.tally_matches,
        "chain_ok": r.chain_problem.is_none(),
        "chain_problem": r.chain_problem,
        "entries": r.entries,
        "complete": r.complete,
        "items": r.items.iter().map(|i| json!({
            "item_id": i.item_id,
            "title": i.title,
            "checked": i.checked,
            "matches": i.matches,
            "published": tally_json(&i.published),
            "recomputed": i.recomputed.as_ref().map(tally_json),
        })).collect::<Vec<_>>(),
    });
    let mut human = format!(
        "Checked {} entries of the ballot log{}.",
        r.entries,
        if r.complete {
            " (the whole log: the meeting is closed)"
        } else {
            " (the part published so far)"
        }
    );
    match &r.chain_problem {
        None => human.push_str("\nThe chain holds: no entry was changed, dropped or reordered."),
        Some(p) => human.push_str(&format!("\nTHE CHAIN IS BROKEN at {p}.")),
    }
    human.push_str(&format!(
        "\nYour receipts: {} found with the vote you cast",
        r.verified.len()
    ));
    if !r.unpublished.is_empty() {
        human.push_str(&format!(
            ", {} not published yet (an item is still open)",
            r.unpublished.len()
        ));
    }
    human.push('.');
    for m in &r.missing {
        human.push_str(&format!("\nMISSING from the log: {m}"));
    }
    for i in &r.items {
        human.push_str(&format!(
            "\n  {}: {}",
            i.title,
            match (i.checked, i.matches) {
                (false, _) => "result not in the published part yet",
                (true, true) => "published tally matches the chain",
                (true, false) => "PUBLISHED TALLY DOES NOT MATCH THE CHAIN",
            }
        ));
    }
    let trustworthy = r.tally_matches && r.missing.is_empty();
    let reply = Reply::new(json, human);
    Ok(if trustworthy { reply } else { reply.failing() })
}
