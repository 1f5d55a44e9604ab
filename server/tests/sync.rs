//! Sync (DESIGN.md §4): pull by scope with cursors, push exactly once.

mod common;

use std::collections::BTreeMap;

use common::*;
use lobby_model::protocol::{PullResponse, Record};
use reqwest::StatusCode;
use serde_json::{json, Value};

const PHONE: &str = "081-234-5678";

struct Owner {
    t: TestServer,
    token: String,
    person: String,
    units: Vec<String>,
    payloads: Vec<String>,
}

async fn owner() -> Owner {
    let t = dev_server().await;
    let (_, imported) = t.project_with_owners(REGISTRY).await;
    let grant = t
        .onboard(&imported.units[0].onboarding_payload, PHONE)
        .await;
    Owner {
        token: grant["access_token"].as_str().unwrap().to_string(),
        person: grant["person_id"].as_str().unwrap().to_string(),
        units: imported.units.iter().map(|u| u.unit_id.clone()).collect(),
        payloads: imported
            .units
            .iter()
            .map(|u| u.onboarding_payload.clone())
            .collect(),
        t,
    }
}

impl Owner {
    async fn pull(&self, body: Value) -> PullResponse {
        let v = self
            .t
            .post_ok("/v1/sync/pull", body, Some(&self.token))
            .await;
        serde_json::from_value(v).expect("a PullResponse")
    }
}

#[tokio::test]
async fn first_pull_brings_profile_membership_unit_and_project() {
    let o = owner().await;
    let page = o.pull(json!({})).await;
    assert!(!page.reset && !page.has_more);
    assert_eq!(page.epoch, 1);
    let kinds: Vec<&str> = page
        .changes
        .iter()
        .map(|c| match &c.record {
            Record::Project(_) => "project",
            Record::Unit(_) => "unit",
            Record::Membership(_) => "membership",
            Record::Profile(_) => "profile",
            _ => "other",
        })
        .collect();
    assert_eq!(kinds, ["project", "unit", "profile", "membership"]);
    assert!(page.changes.windows(2).all(|w| w[0].seq < w[1].seq));
    let scopes: Vec<&String> = page.cursors.keys().collect();
    assert_eq!(scopes.len(), 6);
    assert!(page.cursors.contains_key(&format!("person:{}", o.person)));
    // Everyone sees the documents in force.
    assert!(page.cursors.contains_key("policies:platform"));
    // Members see their project's meetings.
    assert!(page.cursors.keys().any(|s| s.starts_with("meetings:")));
    assert!(page.cursors.contains_key(&format!("unit:{}", o.units[0])));
    // An owner also sees the unit's invitations and members.
    assert!(page.cursors.contains_key(&format!("owners:{}", o.units[0])));
    // Other owners' units stay invisible.
    assert!(!page.cursors.contains_key(&format!("unit:{}", o.units[2])));
    let head = page.changes.last().unwrap().seq;
    let head_all = o.t.count("SELECT MAX(seq) FROM changes");
    assert!(page.cursors.values().all(|c| *c == head_all && *c >= head));
    o.t.shutdown().await;
}

#[tokio::test]
async fn pulling_in_pages_follows_cursors_until_has_more_is_false() {
    let o = owner().await;
    let mut cursors: BTreeMap<String, i64> = BTreeMap::new();
    let mut seqs = Vec::new();
    let mut pages = 0;
    loop {
        let page = o
            .pull(json!({"epoch": 1, "cursors": cursors, "limit": 1}))
            .await;
        pages += 1;
        assert!(page.changes.len() <= 1);
        seqs.extend(page.changes.iter().map(|c| c.seq));
        cursors = page.cursors;
        if !page.has_more {
            break;
        }
    }
    assert_eq!(pages, 4);
    assert_eq!(seqs.len(), 4);
    // Nothing new: an empty page, same cursors.
    let again = o
        .pull(json!({"epoch": 1, "cursors": cursors, "limit": 1}))
        .await;
    assert!(again.changes.is_empty() && !again.has_more);
    assert_eq!(again.cursors, cursors);
    o.t.shutdown().await;
}

#[tokio::test]
async fn a_newly_visible_unit_scope_is_back_filled_from_its_beginning() {
    let o = owner().await;
    let first = o.pull(json!({"epoch": 1})).await;
    o.t.post_ok(
        "/v1/onboarding/claim",
        json!({"payload": o.payloads[1]}),
        Some(&o.token),
    )
    .await;
    let next = o.pull(json!({"epoch": 1, "cursors": first.cursors})).await;
    let unit_scope = format!("unit:{}", o.units[1]);
    let back_filled = next
        .changes
        .iter()
        .find(|c| c.scope == unit_scope)
        .expect("the new unit's record, logged at import, is back-filled");
    assert!(back_filled.seq < first.cursors[&format!("person:{}", o.person)]);
    assert!(next
        .changes
        .iter()
        .any(|c| matches!(&c.record, Record::Membership(m) if m.unit_id == o.units[1])));
    assert!(next.cursors.contains_key(&unit_scope));
    o.t.shutdown().await;
}

#[tokio::test]
async fn scopes_the_person_can_no_longer_see_are_listed_in_removed_scopes() {
    let o = owner().await;
    let first = o.pull(json!({})).await;
    let mut cursors = first.cursors.clone();
    let foreign = format!("unit:{}", o.units[2]);
    cursors.insert(foreign.clone(), 1);
    let page = o.pull(json!({"epoch": 1, "cursors": cursors})).await;
    assert_eq!(page.removed_scopes, vec![foreign.clone()]);
    assert!(!page.cursors.contains_key(&foreign));
    assert!(page.changes.iter().all(|c| c.scope != foreign));
    o.t.shutdown().await;
}

#[tokio::test]
async fn an_epoch_bump_answers_reset_with_no_changes() {
    let o = owner().await;
    let first = o.pull(json!({})).await;
    assert_eq!(o.t.admin.bump_epoch().await.unwrap().epoch, 2);
    let page = o.pull(json!({"epoch": 1, "cursors": first.cursors})).await;
    assert!(page.reset);
    assert_eq!(page.epoch, 2);
    assert!(page.changes.is_empty());
    // Starting over under the new epoch works.
    let fresh = o.pull(json!({"epoch": 2})).await;
    assert!(!fresh.reset);
    assert_eq!(fresh.changes.len(), 4);
    o.t.shutdown().await;
}

#[tokio::test]
async fn a_cursor_older_than_retention_answers_reset() {
    let o = owner().await;
    {
        let c = rusqlite::Connection::open(&o.t.db_path).unwrap();
        c.busy_timeout(std::time::Duration::from_secs(5)).unwrap();
        c.execute(
            "UPDATE meta SET value = '3' WHERE key = 'retention_floor'",
            [],
        )
        .unwrap();
    }
    let page = o
        .pull(json!({"epoch": 1, "cursors": {format!("person:{}", o.person): 2}}))
        .await;
    assert!(page.reset);
    o.t.shutdown().await;
}

fn profile_update(id: &str, name: &str) -> Value {
    json!({"mutations": [{"id": id, "created_at": "2026-11-23T00:00:00Z",
        "mutation": {"profile_update": {"display_name": name}}}]})
}

#[tokio::test]
async fn pushing_the_same_mutation_id_twice_applies_it_once() {
    let o = owner().await;
    let id = "01936f8e-0000-7000-8000-000000000001";
    let before = o.t.count("SELECT COUNT(*) FROM changes");
    let r1 =
        o.t.post_ok("/v1/sync/push", profile_update(id, "ชื่อใหม่"), Some(&o.token))
            .await;
    let r2 =
        o.t.post_ok("/v1/sync/push", profile_update(id, "ชื่อใหม่"), Some(&o.token))
            .await;
    assert_eq!(r1, r2);
    assert_eq!(r1["results"][0]["outcome"]["status"], "applied");
    assert_eq!(o.t.count("SELECT COUNT(*) FROM changes") - before, 1);
    assert_eq!(o.t.count("SELECT COUNT(*) FROM mutations"), 1);
    let name: String =
        o.t.db()
            .query_row(
                "SELECT display_name FROM people WHERE id = ?1",
                [&o.person],
                |r| r.get(0),
            )
            .unwrap();
    assert_eq!(name, "ชื่อใหม่");
    let page = o.pull(json!({})).await;
    assert!(page
        .changes
        .iter()
        .any(|c| matches!(&c.record, Record::Profile(p) if p.display_name == "ชื่อใหม่")));
    o.t.shutdown().await;
}

#[tokio::test]
async fn an_invalid_profile_update_is_rejected_and_a_retry_gets_the_same_answer() {
    let o = owner().await;
    let id = "01936f8e-0000-7000-8000-000000000002";
    let body = json!({"mutations": [{"id": id, "created_at": "2026-11-23T00:00:00Z",
        "mutation": {"profile_update": {"email": "not-an-email"}}}]});
    let r1 =
        o.t.post_ok("/v1/sync/push", body.clone(), Some(&o.token))
            .await;
    assert_eq!(r1["results"][0]["outcome"]["status"], "rejected");
    assert_eq!(r1["results"][0]["outcome"]["code"], "email_invalid");
    let r2 = o.t.post_ok("/v1/sync/push", body, Some(&o.token)).await;
    assert_eq!(r1, r2);
    let long = "ก".repeat(101);
    let r3 =
        o.t.post_ok(
            "/v1/sync/push",
            profile_update("01936f8e-0000-7000-8000-000000000003", &long),
            Some(&o.token),
        )
        .await;
    assert_eq!(r3["results"][0]["outcome"]["code"], "invalid_input");
    o.t.shutdown().await;
}

#[tokio::test]
async fn a_mutation_id_belongs_to_the_person_who_sent_it() {
    let o = owner().await;
    let other = o.t.onboard(&o.payloads[2], "0899999999").await;
    let id = "01936f8e-0000-7000-8000-000000000004";
    o.t.post_ok("/v1/sync/push", profile_update(id, "A"), Some(&o.token))
        .await;
    let r =
        o.t.post_ok(
            "/v1/sync/push",
            profile_update(id, "B"),
            other["access_token"].as_str(),
        )
        .await;
    assert_eq!(r["results"][0]["outcome"]["status"], "rejected");
    assert_eq!(r["results"][0]["outcome"]["code"], "conflict");
    let n: i64 =
        o.t.db()
            .query_row(
                "SELECT COUNT(*) FROM people WHERE display_name = 'B'",
                [],
                |r| r.get(0),
            )
            .unwrap();
    assert_eq!(n, 0);
    o.t.shutdown().await;
}

#[tokio::test]
async fn malformed_and_non_utf8_bodies_answer_invalid_input_not_a_crash() {
    let o = owner().await;
    for body in [
        b"{not json".to_vec(),
        b"{\"mutations\": [\"\xff\xfe\"]}".to_vec(),
    ] {
        let resp =
            o.t.http
                .post(format!("{}/v1/sync/push", o.t.url))
                .bearer_auth(&o.token)
                .header("content-type", "application/json")
                .body(body)
                .send()
                .await
                .unwrap();
        assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
        let v: Value = resp.json().await.unwrap();
        assert_eq!(code_of(&v), "invalid_input");
    }
    let huge = vec![b' '; 3 * 1024 * 1024];
    let resp =
        o.t.http
            .post(format!("{}/v1/sync/pull", o.t.url))
            .bearer_auth(&o.token)
            .header("content-type", "application/json")
            .body(huge)
            .send()
            .await
            .unwrap();
    let v: Value = resp.json().await.unwrap();
    assert_eq!(code_of(&v), "invalid_input");
    o.t.shutdown().await;
}
