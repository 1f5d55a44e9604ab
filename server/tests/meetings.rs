//! Meeting set-up (DESIGN.md §2.7, issue 9): staff create a meeting, its agenda, proxies
//! (at most 3 units per holder) and the attendance register, within their project.

mod common;

use common::*;
use lobby_model::protocol::{ItemAdd, MeetingCreate, ProxyAdd};
use lobby_model::ErrorCode;

/// Five units with five owners; the fifth owner will hold proxies.
const FIVE: &str = "unit,owner_name,ownership_ratio,phone,email\n\
    A-1,เจ้าของ หนึ่ง,1,0810000001,\n\
    A-2,เจ้าของ สอง,1,0810000002,\n\
    A-3,เจ้าของ สาม,1,0810000003,\n\
    A-4,เจ้าของ สี่,1,0810000004,\n\
    A-5,ผู้รับมอบ ฉันทะ,1,0810000005,\n";

fn meeting(project: &str) -> MeetingCreate {
    MeetingCreate {
        project_id: project.to_string(),
        title: "ประชุมใหญ่สามัญประจำปี 2569".into(),
        kind: "annual".into(),
        reconvened: false,
    }
}

fn item(title: &str, resolution: &str) -> ItemAdd {
    ItemAdd {
        title: title.into(),
        resolution: resolution.into(),
    }
}

#[tokio::test]
async fn a_meeting_gets_its_agenda_in_order_and_bad_kinds_and_types_are_refused() {
    let t = dev_server().await;
    let project = t.project().await;
    let m = t
        .admin
        .create_meeting(&meeting(&project))
        .await
        .unwrap()
        .meeting_id;
    for (title, resolution) in [
        ("รับรองรายงานการประชุม", "majority_of_attendees"),
        ("อนุมัติงบประมาณ", "half_of_all"),
        ("แจ้งเพื่อทราบ", "information"),
    ] {
        t.admin
            .add_item(&m, &item(title, resolution))
            .await
            .expect("item added");
    }
    assert_eq!(
        t.count(&format!(
            "SELECT COUNT(*) FROM agenda_items WHERE meeting_id = '{m}' AND (
                (position = 1 AND resolution = 'majority_of_attendees')
             OR (position = 2 AND resolution = 'half_of_all')
             OR (position = 3 AND resolution = 'information'))"
        )),
        3
    );
    let bad_kind = MeetingCreate {
        kind: "general".into(),
        ..meeting(&project)
    };
    assert_eq!(
        t.admin.create_meeting(&bad_kind).await.unwrap_err().code,
        ErrorCode::InvalidInput
    );
    assert_eq!(
        t.admin
            .add_item(&m, &item("x", "two_thirds"))
            .await
            .unwrap_err()
            .code,
        ErrorCode::InvalidInput
    );
    let spoofed = item("\u{202E}ปลอม", "information");
    assert_eq!(
        t.admin.add_item(&m, &spoofed).await.unwrap_err().code,
        ErrorCode::InvalidInput
    );
    // Another project's staff cannot see the meeting or create one in this project.
    let other = t.project().await;
    let limited = lobby_server::AdminClient::new(&t.url, &add_staff(&t.db_path, Some(&other)));
    assert_eq!(
        limited
            .add_item(&m, &item("x", "information"))
            .await
            .unwrap_err()
            .code,
        ErrorCode::NotFound
    );
    assert_eq!(
        limited
            .create_meeting(&meeting(&project))
            .await
            .unwrap_err()
            .code,
        ErrorCode::NotFound
    );
    t.shutdown().await;
}

#[tokio::test]
async fn one_holder_takes_three_units_by_proxy_and_a_fourth_is_proxy_limit() {
    let t = dev_server().await;
    let (project, imported) = t.project_with_owners(FIVE).await;
    t.onboard(&imported.units[4].onboarding_payload, "0810000005")
        .await;
    let m = t
        .admin
        .create_meeting(&meeting(&project))
        .await
        .unwrap()
        .meeting_id;
    let proxy = |i: usize, holder: &str| ProxyAdd {
        unit_id: imported.units[i].unit_id.clone(),
        holder: holder.into(),
    };
    for i in 0..3 {
        t.admin
            .add_proxy(&m, &proxy(i, "081-000-0005"))
            .await
            .expect("within the limit");
    }
    // The same registration again changes nothing and is not a fourth unit.
    t.admin
        .add_proxy(&m, &proxy(0, "+66810000005"))
        .await
        .unwrap();
    assert_eq!(
        t.admin
            .add_proxy(&m, &proxy(3, "0810000005"))
            .await
            .unwrap_err()
            .code,
        ErrorCode::ProxyLimit
    );
    assert_eq!(
        t.count(&format!(
            "SELECT COUNT(*) FROM meeting_proxies WHERE meeting_id = '{m}'"
        )),
        3
    );
    // A holder with no account; a malformed phone.
    assert_eq!(
        t.admin
            .add_proxy(&m, &proxy(3, "0899999999"))
            .await
            .unwrap_err()
            .code,
        ErrorCode::NotFound
    );
    assert_eq!(
        t.admin
            .add_proxy(&m, &proxy(3, "12"))
            .await
            .unwrap_err()
            .code,
        ErrorCode::PhoneInvalid
    );
    // The limit is per meeting: another meeting starts from zero.
    let m2 = t
        .admin
        .create_meeting(&meeting(&project))
        .await
        .unwrap()
        .meeting_id;
    t.admin
        .add_proxy(&m2, &proxy(3, "0810000005"))
        .await
        .unwrap();
    t.shutdown().await;
}

#[tokio::test]
async fn board_members_the_manager_their_spouses_and_office_staff_hold_no_proxies() {
    let t = dev_server().await;
    let (project, imported) = t.project_with_owners(FIVE).await;
    for (i, phone) in [(3, "0810000004"), (4, "0810000005")] {
        t.onboard(&imported.units[i].onboarding_payload, phone)
            .await;
    }
    let m = t
        .admin
        .create_meeting(&meeting(&project))
        .await
        .unwrap()
        .meeting_id;
    let proxy = |i: usize, holder: &str| ProxyAdd {
        unit_id: imported.units[i].unit_id.clone(),
        holder: holder.into(),
    };
    // Without a role the fifth owner may hold a proxy; on the roster as a board member,
    // no more (s.47). So for a spouse (the fourth owner).
    t.admin
        .add_proxy(&m, &proxy(0, "0810000005"))
        .await
        .unwrap();
    t.admin
        .add_role(&project, "081-000-0005", "board")
        .await
        .unwrap();
    t.admin
        .add_role(&project, "0810000004", "spouse")
        .await
        .unwrap();
    for (unit, holder) in [(1, "0810000005"), (2, "0810000004")] {
        assert_eq!(
            t.admin
                .add_proxy(&m, &proxy(unit, holder))
                .await
                .unwrap_err()
                .code,
            ErrorCode::NotEligible,
            "{holder}"
        );
    }
    // Bad input: a role that is not one; a phone nobody has; another project's staff.
    assert_eq!(
        t.admin
            .add_role(&project, "0810000004", "treasurer")
            .await
            .unwrap_err()
            .code,
        ErrorCode::InvalidInput
    );
    assert_eq!(
        t.admin
            .add_role(&project, "0899999999", "staff")
            .await
            .unwrap_err()
            .code,
        ErrorCode::NotFound
    );
    let other = t.project().await;
    let limited = lobby_server::AdminClient::new(&t.url, &add_staff(&t.db_path, Some(&other)));
    assert_eq!(
        limited
            .add_role(&project, "0810000004", "staff")
            .await
            .unwrap_err()
            .code,
        ErrorCode::NotFound
    );
    t.shutdown().await;
}

#[tokio::test]
async fn attendance_is_recorded_once_for_units_of_the_meetings_project_only() {
    let t = dev_server().await;
    let (project, imported) = t.project_with_owners(FIVE).await;
    let (_, theirs) = t.project_with_owners(REGISTRY).await;
    let m = t
        .admin
        .create_meeting(&meeting(&project))
        .await
        .unwrap()
        .meeting_id;
    let unit = &imported.units[0].unit_id;
    t.admin.attend(&m, unit).await.unwrap();
    t.admin.attend(&m, unit).await.unwrap();
    assert_eq!(
        t.count(&format!(
            "SELECT COUNT(*) FROM meeting_attendance WHERE meeting_id = '{m}'"
        )),
        1
    );
    assert_eq!(
        t.admin
            .attend(&m, &theirs.units[0].unit_id)
            .await
            .unwrap_err()
            .code,
        ErrorCode::NotFound
    );
    assert_eq!(
        t.admin
            .attend("no-such-meeting", unit)
            .await
            .unwrap_err()
            .code,
        ErrorCode::NotFound
    );
    t.shutdown().await;
}

/// Pushes one vote; "applied" or the refusal's code.
async fn vote(t: &TestServer, token: &str, item: &str, unit: &str, choice: &str) -> String {
    let body = serde_json::json!({"mutations": [{
        "id": uuid::Uuid::now_v7(),
        "created_at": chrono::Utc::now(),
        "mutation": {"vote": {"item_id": item, "unit_id": unit, "choice": choice}},
    }]});
    let out = t.post_ok("/v1/sync/push", body, Some(token)).await;
    let outcome = &out["results"][0]["outcome"];
    match outcome["status"].as_str() {
        Some("applied") => "applied".into(),
        _ => outcome["code"].as_str().unwrap_or("?").to_string(),
    }
}

#[tokio::test]
async fn a_meeting_votes_through_push_and_closes_with_the_tally_of_its_chain() {
    use lobby_model::domain::voting::chain::{tally_from_chain, verify_chain, ChainEntry};

    let t = dev_server().await;
    let (project, imported) = t.project_with_owners(FIVE).await;
    let u: Vec<String> = imported.units.iter().map(|u| u.unit_id.clone()).collect();
    let mut tokens = Vec::new();
    for (i, unit) in imported.units.iter().enumerate() {
        let grant = t
            .onboard(&unit.onboarding_payload, &format!("081000000{}", i + 1))
            .await;
        tokens.push(grant["access_token"].as_str().unwrap().to_string());
    }
    t.admin.set_arrears(&u[3], 7).await.unwrap();
    let m = t
        .admin
        .create_meeting(&meeting(&project))
        .await
        .unwrap()
        .meeting_id;
    let i1 = t
        .admin
        .add_item(&m, &item("อนุมัติงบประมาณ", "majority_of_attendees"))
        .await
        .unwrap()
        .item_id;
    let info = t
        .admin
        .add_item(&m, &item("แจ้งเพื่อทราบ", "information"))
        .await
        .unwrap()
        .item_id;
    // The fifth owner holds the third unit by proxy; the second unit attends in person.
    t.admin
        .add_proxy(
            &m,
            &ProxyAdd {
                unit_id: u[2].clone(),
                holder: "0810000005".into(),
            },
        )
        .await
        .unwrap();
    t.admin.attend(&m, &u[1]).await.unwrap();
    // Nothing is open yet.
    assert_eq!(
        vote(&t, &tokens[0], &i1, &u[0], "approve").await,
        "voting_closed"
    );
    t.admin.meeting_action(&m, "open").await.unwrap();
    t.admin.open_item(&i1).await.unwrap();
    t.admin.open_item(&info).await.unwrap();

    assert_eq!(
        vote(&t, &tokens[0], &i1, &u[0], "disapprove").await,
        "applied"
    );
    assert_eq!(vote(&t, &tokens[0], &i1, &u[0], "approve").await, "applied"); // changed
    assert_eq!(
        vote(&t, &tokens[4], &i1, &u[2], "disapprove").await,
        "applied"
    ); // by proxy
    assert_eq!(vote(&t, &tokens[4], &i1, &u[4], "approve").await, "applied");
    // In arrears (7 months, general meeting); not the voter's unit; an information item;
    // not a choice.
    assert_eq!(
        vote(&t, &tokens[3], &i1, &u[3], "approve").await,
        "not_eligible"
    );
    assert_eq!(
        vote(&t, &tokens[0], &i1, &u[1], "approve").await,
        "not_eligible"
    );
    assert_eq!(
        vote(&t, &tokens[0], &info, &u[0], "approve").await,
        "invalid_input"
    );
    assert_eq!(
        vote(&t, &tokens[0], &i1, &u[0], "yes").await,
        "invalid_input"
    );

    let closed = t.admin.close_item(&i1).await.unwrap();
    // By hand: all votes 5 (one each); attending 4 (u1 voted, u2 registered, u3 by
    // proxy, u5 voted; u4 in arrears left out); approve u1 + u5 = 2, disapprove u3 = 1,
    // did not vote u2 = 1; quorum 4 ≥ 5/4; majority of attendees needs more than 2.
    let tally = &closed.tally;
    for (k, v) in [
        ("approve", "2"),
        ("disapprove", "1"),
        ("abstain", "0"),
        ("did_not_vote", "1"),
        ("attending", "4"),
        ("all_votes", "5"),
    ] {
        assert_eq!(tally[k], v, "{k}: {tally}");
    }
    assert_eq!(tally["quorum"], true);
    assert!(!closed.passed);
    // A vote arriving after the close is not counted.
    assert_eq!(
        vote(&t, &tokens[1], &i1, &u[1], "approve").await,
        "voting_closed"
    );

    // The published head is the chain's, and the chain alone gives the same tally.
    let chain: Vec<ChainEntry> = {
        let db = t.db();
        let mut stmt = db
            .prepare(
                "SELECT seq, prev, entry, hash FROM ballot_log WHERE meeting_id = ?1 ORDER BY seq",
            )
            .unwrap();
        stmt.query_map([&m], |r| {
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
    };
    assert_eq!(verify_chain(&chain).unwrap(), closed.chain_head);
    let recomputed = tally_from_chain(&chain, &i1).unwrap();
    assert_eq!(recomputed.approve.to_string(), "2");
    assert_eq!(recomputed.did_not_vote.to_string(), "1");
    // The snapshot, the attendance recorded before opening, 4 accepted votes, the close.
    assert_eq!(chain.len(), 7);

    // The meeting closes once its items are closed.
    assert_eq!(
        t.admin.meeting_action(&m, "close").await.unwrap_err().code,
        ErrorCode::Conflict
    );
    t.admin.close_item(&info).await.unwrap();
    t.admin.meeting_action(&m, "close").await.unwrap();
    t.shutdown().await;
}
