//! Meetings and e-voting end to end (DESIGN.md §2.7, issue 9): the phone syncs meetings
//! and items, votes for all its units or one, changes its vote, sees results only after
//! close, has a vote cast offline refused `voting_closed` when the item closed first,
//! and checks its receipts and the published tallies against the real server's ballot
//! log — and notices when that log or a tally is tampered with.

use lobby_core::domain::voting::chain::{next_link, ChainEntry, Entry};
use lobby_core::domain::voting::tally::Choice;
use lobby_core::protocol::admin::ImportedUnit;
use lobby_core::protocol::{ItemAdd, MeetingCreate, ProxyAdd, Role};
use lobby_core::{ErrorCode, VoteState};
use lobby_e2e::{Phone, TestServer, OWNER_PHONE};

/// Jane Doe owns B-1203 in the demo registry.
const JANE_PHONE: &str = "0891112222";
const TENANT_PHONE: &str = "086-555-0101";

struct World {
    server: TestServer,
    units: Vec<ImportedUnit>,
    /// สมชาย: owns 12/345 (1.25) and 12/346 (0.75).
    owner: Phone,
    /// Jane: owns B-1203 (2.5), holds B-1204 (1.5) by proxy.
    jane: Phone,
    meeting: String,
    /// majority_of_attendees
    budget: String,
    /// information
    notice: String,
}

async fn world() -> World {
    let server = TestServer::start().await;
    let units = server.import_demo_registry().await;
    let owner = Phone::new(&server.url);
    owner.onboard(&server, &units[0], OWNER_PHONE).await;
    owner
        .lobby
        .auth()
        .claim_onboarding(&units[1].onboarding_payload)
        .await
        .expect("the second unit claimed");
    let jane = Phone::new(&server.url);
    jane.onboard(&server, &units[2], JANE_PHONE).await;
    let project = owner.lobby.units().list().unwrap()[0].project_id.clone();
    let meeting = server
        .admin
        .create_meeting(&MeetingCreate {
            project_id: project,
            title: "ประชุมใหญ่สามัญประจำปี 2569".into(),
            kind: "annual".into(),
            reconvened: false,
        })
        .await
        .unwrap()
        .meeting_id;
    let item = |title: &str, resolution: &str| ItemAdd {
        title: title.into(),
        resolution: resolution.into(),
    };
    let budget = server
        .admin
        .add_item(
            &meeting,
            &item("อนุมัติงบประมาณปี 2570", "majority_of_attendees"),
        )
        .await
        .unwrap()
        .item_id;
    let notice = server
        .admin
        .add_item(&meeting, &item("แจ้งเพื่อทราบ", "information"))
        .await
        .unwrap()
        .item_id;
    server
        .admin
        .add_proxy(
            &meeting,
            &ProxyAdd {
                unit_id: units[3].unit_id.clone(),
                holder: JANE_PHONE.into(),
            },
        )
        .await
        .unwrap();
    World {
        server,
        units,
        owner,
        jane,
        meeting,
        budget,
        notice,
    }
}

fn item_of<'a>(d: &'a lobby_core::MeetingDetail, item_id: &str) -> &'a lobby_core::AgendaItem {
    d.items.iter().find(|i| i.item_id == item_id).expect("item")
}

#[tokio::test]
async fn owners_and_a_proxy_vote_change_a_vote_see_the_result_at_close_and_verify_receipts() {
    let mut w = world().await;
    let (owner, jane) = (&w.owner.lobby, &w.jane.lobby);
    owner.sync().await.unwrap();
    jane.sync().await.unwrap();
    // Drafts are listed; nothing can be voted on before the meeting opens.
    let listed = owner.meetings().list().unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!((listed[0].status.as_str(), listed[0].items), ("draft", 2));

    w.server
        .admin
        .meeting_action(&w.meeting, "open")
        .await
        .unwrap();
    w.server.admin.open_item(&w.budget).await.unwrap();
    owner.sync().await.unwrap();
    jane.sync().await.unwrap();
    let shown = owner.meetings().show(&w.meeting).unwrap();
    assert_eq!(shown.meeting.status, "open");
    let mine: Vec<&str> = shown
        .voting_units
        .iter()
        .map(|u| u.unit_number.as_str())
        .collect();
    assert_eq!(mine, ["12/345", "12/346"]);
    // Jane votes for her own unit and the one she holds by proxy.
    let janes = jane.meetings().show(&w.meeting).unwrap().voting_units;
    assert_eq!(
        janes
            .iter()
            .map(|u| (u.unit_number.as_str(), u.by_proxy))
            .collect::<Vec<_>>(),
        [("B-1203", false), ("B-1204", true)]
    );

    // All of the owner's units, then a change for one.
    let queued = owner
        .meetings()
        .vote(&w.budget, Choice::Approve, None)
        .unwrap();
    assert_eq!(queued.len(), 2);
    let before = item_of(&owner.meetings().show(&w.meeting).unwrap(), &w.budget).clone();
    assert!(before
        .my_votes
        .iter()
        .all(|v| v.state == VoteState::Pending));
    owner.sync().await.unwrap();
    owner
        .meetings()
        .vote(&w.budget, Choice::Disapprove, Some(&w.units[1].unit_id))
        .unwrap();
    owner.sync().await.unwrap();
    jane.meetings()
        .vote(&w.budget, Choice::Approve, None)
        .unwrap();
    jane.sync().await.unwrap();
    let item = item_of(&owner.meetings().show(&w.meeting).unwrap(), &w.budget).clone();
    let votes: Vec<(Choice, VoteState)> =
        item.my_votes.iter().map(|v| (v.choice, v.state)).collect();
    let by_unit = |unit: &str| {
        item.my_votes
            .iter()
            .find(|v| v.unit_id == unit)
            .map(|v| (v.choice, v.state))
    };
    assert_eq!(votes.len(), 2);
    assert_eq!(
        by_unit(&w.units[0].unit_id),
        Some((Choice::Approve, VoteState::Accepted))
    );
    assert_eq!(
        by_unit(&w.units[1].unit_id),
        Some((Choice::Disapprove, VoteState::Accepted))
    );
    assert!(item.my_votes.iter().all(|v| v.receipt.is_some()));
    assert!(item.result.is_none(), "no result while the item is open");

    // Nothing to vote on in an information item; a unit that is not the person's.
    assert_eq!(
        owner
            .meetings()
            .vote(&w.notice, Choice::Approve, None)
            .unwrap_err()
            .code,
        ErrorCode::InvalidInput
    );
    assert_eq!(
        owner
            .meetings()
            .vote(&w.budget, Choice::Approve, Some(&w.units[2].unit_id))
            .unwrap_err()
            .code,
        ErrorCode::NotEligible
    );
    // While the item is open its ballots are not published: receipts wait.
    let early = owner.meetings().verify_receipts(&w.meeting).await.unwrap();
    assert_eq!(early.entries, 1, "the snapshot alone");
    assert_eq!(early.unpublished.len(), 3);
    assert!(early.missing.is_empty());

    let closed = w.server.admin.close_item(&w.budget).await.unwrap();
    // By hand: all votes 1.25 + 0.75 + 2.5 + 1.5 = 6; everyone voted (B-1204 by proxy);
    // approve 1.25 + 2.5 + 1.5 = 5.25, disapprove 0.75; 5.25 > 3: passed.
    owner.sync().await.unwrap();
    let item = item_of(&owner.meetings().show(&w.meeting).unwrap(), &w.budget).clone();
    let result = item.result.expect("a result after close");
    assert_eq!(result.tally.approve.to_string(), "5.25");
    assert_eq!(result.tally.disapprove.to_string(), "0.75");
    assert_eq!(result.tally.attending.to_string(), "6");
    assert_eq!(result.tally.all_votes.to_string(), "6");
    assert!(result.passed && result.tally.quorum);
    assert_eq!(result.chain_head, closed.chain_head);

    let report = owner.meetings().verify_receipts(&w.meeting).await.unwrap();
    assert_eq!(report.chain_problem, None);
    assert_eq!(report.verified.len(), 3, "{report:?}");
    assert!(report.missing.is_empty() && report.unpublished.is_empty());
    assert!(report.tally_matches);
    assert_eq!(report.items.len(), 1);
    assert_eq!(report.items[0].recomputed, Some(result.tally));
    let janes = jane.meetings().verify_receipts(&w.meeting).await.unwrap();
    assert_eq!((janes.verified.len(), janes.tally_matches), (2, true));
    w.server.stop().await;
}

#[tokio::test]
async fn a_vote_cast_offline_that_arrives_after_the_close_is_refused_voting_closed() {
    let mut w = world().await;
    w.server
        .admin
        .meeting_action(&w.meeting, "open")
        .await
        .unwrap();
    w.server.admin.open_item(&w.budget).await.unwrap();
    w.owner.lobby.sync().await.unwrap();

    // No signal in the meeting room: the vote is queued and shown as pending.
    w.server.stop().await;
    let queued = w
        .owner
        .lobby
        .meetings()
        .vote(&w.budget, Choice::Approve, Some(&w.units[0].unit_id))
        .unwrap();
    assert_eq!(queued.len(), 1);
    let shown = w.owner.lobby.meetings().show(&w.meeting).unwrap();
    assert_eq!(
        item_of(&shown, &w.budget).my_votes[0].state,
        VoteState::Pending
    );
    let offline = w.owner.lobby.sync().await.unwrap();
    assert_eq!(
        (offline.state, offline.pending),
        (lobby_core::SyncState::Offline, 1)
    );

    // The chair closes the item before the phone gets a signal back.
    w.server.restart().await;
    w.server.admin.close_item(&w.budget).await.unwrap();
    let report = w.owner.lobby.sync().await.unwrap();
    assert_eq!((report.rejected, report.pending), (1, 0));
    let item = item_of(
        &w.owner.lobby.meetings().show(&w.meeting).unwrap(),
        &w.budget,
    )
    .clone();
    assert!(item.my_votes.is_empty(), "not counted, not pending");
    assert_eq!(item.refused.len(), 1);
    assert_eq!(item.refused[0].code, ErrorCode::VotingClosed);
    assert!(item.result.is_some());
    // Out of the queue: nothing is sent again.
    assert_eq!(w.owner.lobby.sync().await.unwrap().pushed, 0);
    // Now that the phone knows, it refuses at once.
    assert_eq!(
        w.owner
            .lobby
            .meetings()
            .vote(&w.budget, Choice::Approve, None)
            .unwrap_err()
            .code,
        ErrorCode::VotingClosed
    );
    w.server.stop().await;
}

#[tokio::test]
async fn tenants_and_units_in_arrears_do_not_vote_on_the_phone_or_on_the_server() {
    let mut w = world().await;
    // A tenant of 12/345.
    let made = w
        .owner
        .lobby
        .invites()
        .create(Role::Tenant, Some(&w.units[0].unit_id))
        .unwrap();
    w.owner.lobby.sync().await.unwrap();
    let tenant = Phone::new(&w.server.url);
    tenant
        .lobby
        .invites()
        .accept(
            made.code.as_deref().unwrap(),
            TENANT_PHONE,
            Some("ผู้เช่า ทดสอบ"),
        )
        .await
        .unwrap();
    let otp = w.server.admin.peek_otp(TENANT_PHONE).await.unwrap().code;
    tenant.lobby.auth().verify_login(&otp).await.unwrap();
    // 12/346 is 7 months in arrears: no vote at a general meeting (s.18/1).
    w.server
        .admin
        .set_arrears(&w.units[1].unit_id, 7)
        .await
        .unwrap();
    w.server
        .admin
        .meeting_action(&w.meeting, "open")
        .await
        .unwrap();
    w.server.admin.open_item(&w.budget).await.unwrap();
    tenant.lobby.sync().await.unwrap();
    w.owner.lobby.sync().await.unwrap();

    // The tenant sees the meeting but has no unit to vote for.
    assert_eq!(tenant.lobby.meetings().list().unwrap().len(), 1);
    assert_eq!(
        tenant
            .lobby
            .meetings()
            .vote(&w.budget, Choice::Approve, None)
            .unwrap_err()
            .code,
        ErrorCode::NotEligible
    );
    // The owner's unit in arrears is refused on the phone; without --unit, the other
    // unit votes alone.
    assert_eq!(
        w.owner
            .lobby
            .meetings()
            .vote(&w.budget, Choice::Approve, Some(&w.units[1].unit_id))
            .unwrap_err()
            .code,
        ErrorCode::NotEligible
    );
    let queued = w
        .owner
        .lobby
        .meetings()
        .vote(&w.budget, Choice::Approve, None)
        .unwrap();
    assert_eq!(queued.len(), 1);
    assert_eq!(queued[0].unit_id, w.units[0].unit_id);
    w.owner.lobby.sync().await.unwrap();

    // The server makes the same checks for a client that skips them.
    assert_eq!(
        push_vote(&w.server, &tenant, &w.budget, &w.units[0].unit_id).await,
        "not_eligible"
    );
    assert_eq!(
        push_vote(&w.server, &w.owner, &w.budget, &w.units[1].unit_id).await,
        "not_eligible"
    );
    assert_eq!(
        push_vote(&w.server, &w.owner, &w.notice, &w.units[0].unit_id).await,
        "invalid_input"
    );
    w.server.stop().await;
}

/// Pushes a vote with the phone's session, as a client that checks nothing would; the
/// outcome's status or code.
async fn push_vote(server: &TestServer, phone: &Phone, item: &str, unit: &str) -> String {
    use lobby_core::secrets::{keys, SecretStore};
    let token = phone
        .secrets
        .get(keys::ACCESS_TOKEN)
        .unwrap()
        .expect("signed in");
    let body = serde_json::json!({"mutations": [{
        "id": uuid::Uuid::now_v7(),
        "created_at": chrono::Utc::now(),
        "mutation": {"vote": {"item_id": item, "unit_id": unit, "choice": "approve"}},
    }]});
    let out: serde_json::Value = reqwest::Client::new()
        .post(format!("{}/v1/sync/push", server.url))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let outcome = &out["results"][0]["outcome"];
    outcome["code"]
        .as_str()
        .or(outcome["status"].as_str())
        .unwrap_or("?")
        .to_string()
}

/// The server's ballot log, as stored.
fn stored_log(server: &TestServer, meeting: &str) -> Vec<ChainEntry> {
    let db = server.db();
    let mut stmt = db
        .prepare("SELECT seq, prev, entry, hash FROM ballot_log WHERE meeting_id = ?1 ORDER BY seq")
        .unwrap();
    stmt.query_map([meeting], |r| {
        Ok(ChainEntry {
            seq: r.get::<_, i64>(0)? as u64,
            prev: r.get(1)?,
            entry: serde_json::from_str(&r.get::<_, String>(2)?).unwrap(),
            hash: r.get(3)?,
        })
    })
    .unwrap()
    .collect::<Result<_, _>>()
    .unwrap()
}

fn write_log(server: &TestServer, meeting: &str, log: &[ChainEntry]) {
    let db = rusqlite::Connection::open(&server.db_path).unwrap();
    db.busy_timeout(std::time::Duration::from_secs(5)).unwrap();
    for e in log {
        db.execute(
            "UPDATE ballot_log SET prev = ?3, entry = ?4, hash = ?5 WHERE meeting_id = ?1 AND seq = ?2",
            rusqlite::params![
                meeting,
                e.seq as i64,
                e.prev,
                serde_json::to_string(&e.entry).unwrap(),
                e.hash
            ],
        )
        .unwrap();
    }
}

#[tokio::test]
async fn receipts_verify_notices_a_changed_vote_a_rewritten_log_and_a_false_tally() {
    let mut w = world().await;
    w.server
        .admin
        .meeting_action(&w.meeting, "open")
        .await
        .unwrap();
    w.server.admin.open_item(&w.budget).await.unwrap();
    let owner = &w.owner.lobby;
    owner.sync().await.unwrap();
    owner
        .meetings()
        .vote(&w.budget, Choice::Disapprove, None)
        .unwrap();
    owner.sync().await.unwrap();
    w.server.admin.close_item(&w.budget).await.unwrap();
    owner.sync().await.unwrap();
    assert!(
        owner
            .meetings()
            .verify_receipts(&w.meeting)
            .await
            .unwrap()
            .tally_matches
    );
    let honest = stored_log(&w.server, &w.meeting);

    // 1. The operator flips the owner's first vote in place.
    let mut changed = honest.clone();
    let flipped = changed
        .iter()
        .position(|e| matches!(&e.entry, Entry::Ballot(_)))
        .unwrap();
    if let Entry::Ballot(b) = &mut changed[flipped].entry {
        b.choice = "approve".into();
    }
    write_log(&w.server, &w.meeting, &changed);
    let r = owner.meetings().verify_receipts(&w.meeting).await.unwrap();
    assert!(r.chain_problem.is_some());
    assert!(!r.tally_matches);
    assert!(r.verified.is_empty());

    // 2. ... and then recomputes every hash so the chain holds again: the receipt is no
    // longer in it, and the published head no longer matches.
    let mut forged: Vec<ChainEntry> = Vec::new();
    for e in &changed {
        let link = next_link(forged.last(), e.entry.clone());
        forged.push(link);
    }
    write_log(&w.server, &w.meeting, &forged);
    let r = owner.meetings().verify_receipts(&w.meeting).await.unwrap();
    assert_eq!(r.chain_problem, None);
    // Every hash from the changed entry on is new: both receipts are gone from it.
    assert_eq!((r.verified.len(), r.missing.len()), (0, 2), "{r:?}");
    assert!(!r.tally_matches);

    // 3. The log is honest again, but the published tally is not the chain's.
    write_log(&w.server, &w.meeting, &honest);
    assert!(
        owner
            .meetings()
            .verify_receipts(&w.meeting)
            .await
            .unwrap()
            .tally_matches
    );
    w.owner
        .store()
        .connection()
        .execute(
            "UPDATE agenda_items SET result = replace(result, '\"approve\":\"0\"', '\"approve\":\"2\"')
             WHERE id = ?1",
            [&w.budget],
        )
        .unwrap();
    let r = owner.meetings().verify_receipts(&w.meeting).await.unwrap();
    assert_eq!(r.chain_problem, None);
    assert_eq!(r.verified.len(), 2);
    assert!(!r.tally_matches, "{r:?}");
    w.server.stop().await;
}

#[tokio::test]
async fn a_proxy_holder_from_outside_the_project_sees_its_meetings_but_nothing_else_and_votes() {
    let mut w = world().await;
    // Someone who owns a unit in another project only.
    let elsewhere = w
        .server
        .admin
        .create_project("โครงการ อื่น", lobby_core::protocol::ProjectKind::Condominium)
        .await
        .unwrap();
    let theirs = w
        .server
        .admin
        .import_owners(
            &elsewhere.project_id,
            "unit,owner_name,ownership_ratio,phone,email\nX-1,คนนอก โครงการ,1,0820000001,\n"
                .as_bytes()
                .to_vec(),
        )
        .await
        .unwrap()
        .units;
    let outsider = Phone::new(&w.server.url);
    outsider.onboard(&w.server, &theirs[0], "0820000001").await;
    // Jane's proxy for B-1204 goes to the outsider instead.
    w.server
        .admin
        .add_proxy(
            &w.meeting,
            &ProxyAdd {
                unit_id: w.units[3].unit_id.clone(),
                holder: "0820000001".into(),
            },
        )
        .await
        .unwrap();
    w.server
        .admin
        .meeting_action(&w.meeting, "open")
        .await
        .unwrap();
    w.server.admin.open_item(&w.budget).await.unwrap();
    outsider.lobby.sync().await.unwrap();
    w.jane.lobby.sync().await.unwrap();

    assert_eq!(outsider.lobby.meetings().list().unwrap().len(), 1);
    let units: Vec<String> = outsider
        .lobby
        .units()
        .list()
        .unwrap()
        .into_iter()
        .map(|u| u.unit_number)
        .collect();
    assert_eq!(units, ["X-1"], "the meeting's project is not theirs to see");
    let shown = outsider.lobby.meetings().show(&w.meeting).unwrap();
    assert_eq!(shown.voting_units.len(), 1);
    assert!(shown.voting_units[0].by_proxy);
    // Jane no longer holds it.
    let janes = w
        .jane
        .lobby
        .meetings()
        .show(&w.meeting)
        .unwrap()
        .voting_units;
    assert_eq!(janes.len(), 1);
    outsider
        .lobby
        .meetings()
        .vote(&w.budget, Choice::Abstain, None)
        .unwrap();
    outsider.lobby.sync().await.unwrap();
    let item = item_of(
        &outsider.lobby.meetings().show(&w.meeting).unwrap(),
        &w.budget,
    )
    .clone();
    assert_eq!(item.my_votes[0].state, VoteState::Accepted);
    w.server.stop().await;
}
