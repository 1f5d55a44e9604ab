//! The demo's meeting (issue 9): staff call an annual meeting with a proxy, the owner and
//! a second owner vote from their phones (one vote changed), results appear only at
//! close, a vote that arrives after the close is refused `voting_closed`, and the owner's
//! phone verifies its receipts and the tallies against the published ballot log.

use std::sync::Arc;

use lobby_core::domain::voting::tally::Choice;
use lobby_core::protocol::admin::ImportedUnit;
use lobby_core::protocol::{ItemAdd, MeetingCreate, ProxyAdd};
use lobby_core::secrets::MemorySecretStore;
use lobby_core::{ErrorCode, Lobby, LobbyConfig, Result, VoteState};
use lobby_server::AdminClient;
use serde_json::json;

use super::{fail, Tour, OWNER_PASSWORD};

/// Jane Doe owns B-1203 in the demo registry; she will hold B-1204 by proxy.
const JANE_PHONE: &str = "0891112222";

fn unit<'a>(units: &'a [ImportedUnit], number: &str) -> Result<&'a ImportedUnit> {
    units
        .iter()
        .find(|u| u.unit == number)
        .ok_or_else(|| fail("a demo unit is missing"))
}

/// Runs the meeting steps. `owner` is signed in with 12/345 and 12/346.
pub(super) async fn run(
    tour: &mut Tour,
    admin: &AdminClient,
    server_url: &str,
    data_dir: &std::path::Path,
    project_id: &str,
    units: &[ImportedUnit],
    owner: &Lobby,
) -> Result<()> {
    // A second owner's phone: Jane onboards B-1203.
    let jane = Lobby::open(
        LobbyConfig {
            data_dir: data_dir.join("jane-phone"),
            server_url: Some(server_url.to_string()),
            device_label: Some("iPhone 15 · iOS 18".into()),
        },
        Arc::new(MemorySecretStore::new()),
    )?;
    let b1203 = unit(units, "B-1203")?;
    jane.auth()
        .start_onboarding(
            &b1203.onboarding_payload,
            Some(JANE_PHONE),
            Some(OWNER_PASSWORD),
            None,
            None,
            &[],
        )
        .await?;
    let otp = admin.peek_otp(JANE_PHONE).await?.code;
    jane.auth().verify_onboarding(&otp).await?;

    // Staff call the meeting: agenda, a proxy, then open it.
    let meeting = admin
        .create_meeting(&MeetingCreate {
            project_id: project_id.to_string(),
            title: "ประชุมใหญ่สามัญประจำปี 2569".into(),
            kind: "annual".into(),
            reconvened: false,
        })
        .await?
        .meeting_id;
    let mut items = Vec::new();
    for (title, resolution) in [
        ("อนุมัติงบประมาณปี 2570", "majority_of_attendees"),
        ("แต่งตั้งผู้จัดการนิติบุคคล", "half_of_all"),
        ("แจ้งเพื่อทราบ: ผลการดำเนินงาน", "information"),
    ] {
        items.push(
            admin
                .add_item(
                    &meeting,
                    &ItemAdd {
                        title: title.into(),
                        resolution: resolution.into(),
                    },
                )
                .await?
                .item_id,
        );
    }
    let (budget, manager) = (items[0].clone(), items[1].clone());
    admin
        .add_proxy(
            &meeting,
            &ProxyAdd {
                unit_id: unit(units, "B-1204")?.unit_id.clone(),
                holder: JANE_PHONE.into(),
            },
        )
        .await?;
    admin.meeting_action(&meeting, "open").await?;
    admin.open_item(&budget).await?;
    admin.open_item(&manager).await?;
    owner.sync().await?;
    jane.sync().await?;
    let shown = owner.meetings().show(&meeting)?;
    let janes = jane.meetings().show(&meeting)?.voting_units;
    tour.step(
        "Staff call the annual meeting; both owners' phones see it open",
        format!(
            "{} — {} items ({}); eligibility frozen at opening; Jane holds B-1204 by proxy.\nThe owner votes for {}; Jane for {}",
            shown.meeting.title,
            shown.items.len(),
            shown
                .items
                .iter()
                .map(|i| format!("{}: {}", i.title, i.resolution))
                .collect::<Vec<_>>()
                .join("; "),
            shown.voting_units.iter().map(|u| u.unit_number.as_str()).collect::<Vec<_>>().join(", "),
            janes
                .iter()
                .map(|u| format!("{}{}", u.unit_number, if u.by_proxy { " (proxy)" } else { "" }))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        json!({"meeting_id": meeting, "items": shown.items.len(), "owner_units": shown.voting_units.len(), "jane_units": janes.len()}),
    );

    // Votes: pending until synced, then accepted with receipts; one changed.
    let queued = owner.meetings().vote(&budget, Choice::Approve, None)?;
    let pending = owner
        .meetings()
        .show(&meeting)?
        .items
        .iter()
        .filter(|i| i.item_id == budget)
        .flat_map(|i| i.my_votes.iter())
        .filter(|v| v.state == VoteState::Pending)
        .count();
    owner.sync().await?;
    let second_unit = queued
        .get(1)
        .ok_or_else(|| fail("the owner should vote for two units"))?
        .unit_id
        .clone();
    owner
        .meetings()
        .vote(&budget, Choice::Disapprove, Some(&second_unit))?;
    owner.meetings().vote(&manager, Choice::Approve, None)?;
    owner.sync().await?;
    jane.meetings().vote(&budget, Choice::Approve, None)?;
    jane.meetings().vote(&manager, Choice::Disapprove, None)?;
    jane.sync().await?;
    let item = owner
        .meetings()
        .show(&meeting)?
        .items
        .into_iter()
        .find(|i| i.item_id == budget)
        .ok_or_else(|| fail("the budget item is gone"))?;
    if item.result.is_some() || item.my_votes.iter().any(|v| v.state != VoteState::Accepted) {
        return Err(fail(
            "votes should be accepted and results hidden while open",
        ));
    }
    tour.step(
        "Owners vote from their phones; one vote is changed",
        format!(
            "owner: approve for {} units ({pending} pending before the sync), then 12/346 changed to disapprove; Jane: approve for her unit and the proxy.\nReceipts on the owner's phone: {}\nNo result is shown while voting is open.",
            queued.len(),
            item.my_votes
                .iter()
                .map(|v| format!("{} {}…", v.choice.as_str(), v.receipt.as_deref().unwrap_or("").get(..12).unwrap_or("")))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        json!({"votes": queued.len(), "pending_before_sync": pending, "receipts": item.my_votes.len()}),
    );

    // Close: the tally from the chain, shown on the phone; a late vote is refused.
    let closed = admin.close_item(&budget).await?;
    admin.close_item(&manager).await?;
    // The owner's phone has not heard of the second close yet: its vote is sent late.
    owner.meetings().vote(&manager, Choice::Abstain, None)?;
    let report = owner.sync().await?;
    let detail = owner.meetings().show(&meeting)?;
    let result = detail
        .items
        .iter()
        .find(|i| i.item_id == budget)
        .and_then(|i| i.result.clone())
        .ok_or_else(|| fail("no result after close"))?;
    let refused = detail
        .items
        .iter()
        .find(|i| i.item_id == manager)
        .map(|i| i.refused.clone())
        .unwrap_or_default();
    if result.chain_head != closed.chain_head
        || refused.first().map(|r| r.code) != Some(ErrorCode::VotingClosed)
    {
        return Err(fail("the result or the late vote's refusal is wrong"));
    }
    let t = &result.tally;
    tour.step(
        "Staff close the items: results appear; a late vote is refused",
        format!(
            "budget: approve {}, disapprove {}, abstain {}, did not vote {}; attending {} of {} (quorum: {}) → {}\nThe owner's abstention on the manager item reached the server after it closed: {} ({} refused, not counted, out of the queue)",
            t.approve, t.disapprove, t.abstain, t.did_not_vote, t.attending, t.all_votes, t.quorum,
            if result.passed { "PASSED" } else { "not passed" },
            ErrorCode::VotingClosed,
            report.rejected
        ),
        json!({"tally": super::super::commands::meetings::tally_json(t), "passed": result.passed, "late_vote": ErrorCode::VotingClosed.as_str()}),
    );

    // The owner checks the server's word.
    admin.meeting_action(&meeting, "close").await?;
    owner.sync().await?;
    let verified = owner.meetings().verify_receipts(&meeting).await?;
    if !verified.tally_matches || !verified.missing.is_empty() || verified.verified.is_empty() {
        return Err(fail("the receipts did not verify against the ballot log"));
    }
    tour.step(
        "The owner verifies receipts against the published ballot log",
        format!(
            "{} entries checked, every link holds; {} receipt(s) found with the votes cast; {} closed item(s) recomputed on the phone: the published tallies match",
            verified.entries,
            verified.verified.len(),
            verified.items.len()
        ),
        json!({"entries": verified.entries, "verified": verified.verified.len(), "tally_matches": verified.tally_matches}),
    );
    jane.close();
    Ok(())
}
