//! Invitation codes (DESIGN.md §2.3, issue 3): creation, revocation and member removal
//! through push, acceptance through `POST /v1/invites/accept` + OTP, the cap of 5 under
//! concurrency, and guessing limits — a real server over HTTP.

mod common;

use chrono::Utc;
use common::*;
use lobby_model::domain::invites::generate_invite_code;
use lobby_model::protocol::{InviteStatus, PullResponse, Record, Role};
use reqwest::StatusCode;
use serde_json::{json, Value};
use uuid::Uuid;

const OWNER_PHONE: &str = "081-234-5678";

struct Fixture {
    t: TestServer,
    /// The owner of units 0 and 1 (signed in through unit 0's onboarding).
    owner: String,
    unit: String,
    payloads: Vec<String>,
}

async fn fixture_on(t: TestServer) -> Fixture {
    let (_, imported) = t.project_with_owners(REGISTRY).await;
    let grant = t
        .onboard(&imported.units[0].onboarding_payload, OWNER_PHONE)
        .await;
    Fixture {
        owner: grant["access_token"].as_str().unwrap().to_string(),
        unit: imported.units[0].unit_id.clone(),
        payloads: imported
            .units
            .iter()
            .map(|u| u.onboarding_payload.clone())
            .collect(),
        t,
    }
}

async fn fixture() -> Fixture {
    fixture_on(dev_server().await).await
}

fn envelope(id: Uuid, mutation: Value) -> Value {
    json!({"id": id, "created_at": Utc::now(), "mutation": mutation})
}

fn invite_create(invite_id: Uuid, unit: &str, role: &str, code: &str) -> Value {
    json!({"invite_create": {"invite_id": invite_id, "unit_id": unit, "role": role, "code": code}})
}

/// A created invitation: its id and code.
struct Made {
    id: Uuid,
    code: String,
}

impl Fixture {
    /// Pushes mutations; returns the outcomes in order.
    async fn push(&self, token: &str, mutations: Vec<Value>) -> Vec<Value> {
        let envelopes: Vec<Value> = mutations
            .into_iter()
            .map(|m| envelope(Uuid::now_v7(), m))
            .collect();
        let r = self
            .t
            .post_ok(
                "/v1/sync/push",
                json!({ "mutations": envelopes }),
                Some(token),
            )
            .await;
        r["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x["outcome"].clone())
            .collect()
    }

    async fn push_one(&self, token: &str, mutation: Value) -> Value {
        self.push(token, vec![mutation]).await.remove(0)
    }

    /// An invitation of the fixture's unit, which must be applied.
    async fn invite(&self, role: &str) -> Made {
        let made = Made {
            id: Uuid::now_v7(),
            code: generate_invite_code(),
        };
        let out = self
            .push_one(
                &self.owner,
                invite_create(made.id, &self.unit, role, &made.code),
            )
            .await;
        assert_eq!(out["status"], "applied", "{out}");
        made
    }

    async fn accept(&self, code: &str, phone: &str, name: Option<&str>) -> (StatusCode, Value) {
        self.t
            .post(
                "/v1/invites/accept",
                json!({"code": code, "phone": phone, "name": name}),
                None,
            )
            .await
    }

    /// accept → peek → verify; the new member's session grant.
    async fn join(&self, code: &str, phone: &str, name: &str) -> Value {
        let (status, sent) = self.accept(code, phone, Some(name)).await;
        assert_eq!(status, StatusCode::OK, "{sent}");
        let otp = self.t.admin.peek_otp(phone).await.expect("peek").code;
        self.t
            .post_ok(
                "/v1/auth/otp/verify",
                json!({"request_id": sent["request_id"], "code": otp}),
                None,
            )
            .await
    }

    async fn pull(&self, token: &str, body: Value) -> PullResponse {
        let v = self.t.post_ok("/v1/sync/pull", body, Some(token)).await;
        serde_json::from_value(v).expect("a PullResponse")
    }

    fn pending(&self) -> i64 {
        self.t.count(&format!(
            "SELECT COUNT(*) FROM invites WHERE unit_id = '{}' AND status = 'pending'",
            self.unit
        ))
    }

    fn members(&self) -> i64 {
        self.t.count(&format!(
            "SELECT COUNT(*) FROM memberships WHERE unit_id = '{}' AND ended_at IS NULL
             AND role IN ('resident', 'tenant')",
            self.unit
        ))
    }

    fn membership_id(&self, person: &str) -> String {
        self.t
            .db()
            .query_row(
                "SELECT id FROM memberships WHERE person_id = ?1 AND unit_id = ?2 AND ended_at IS NULL",
                [person, &self.unit],
                |r| r.get(0),
            )
            .expect("membership")
    }
}

fn token(grant: &Value) -> String {
    grant["access_token"].as_str().unwrap().to_string()
}

fn rejected_code(outcome: &Value) -> &str {
    assert_eq!(outcome["status"], "rejected", "{outcome}");
    outcome["code"].as_str().unwrap_or("")
}

#[tokio::test]
async fn an_invitation_is_applied_listed_to_the_owner_accepted_and_hidden_from_the_member() {
    let f = fixture().await;
    let before = Utc::now();
    let made = f.invite("resident").await;

    let page = f.pull(&f.owner, json!({})).await;
    let owners = format!("owners:{}", f.unit);
    let invite = page
        .changes
        .iter()
        .find_map(|c| match &c.record {
            Record::Invite(i) => {
                assert_eq!(c.scope, owners);
                Some(i.clone())
            }
            _ => None,
        })
        .expect("the owner pulls the invitation");
    assert_eq!(invite.id, made.id.to_string());
    assert_eq!(invite.status, InviteStatus::Pending);
    assert_eq!(invite.role, Role::Resident);
    let ttl = invite.expires_at - before;
    assert!(
        // Stored in milliseconds, so up to 1 ms before `before + 7 days`.
        ttl >= chrono::Duration::days(7) - chrono::Duration::milliseconds(1)
            && ttl < chrono::Duration::days(7) + chrono::Duration::minutes(1)
    );
    // Only a keyed digest is stored: the plain SHA-256 of the code (which a copy of the
    // database would let anyone test all 2^50 codes against) is not there.
    let key = lobby_server::server_key::ServerKey::load_or_create(
        &lobby_server::server_key::ServerKey::default_path(&f.t.db_path),
    )
    .unwrap();
    let stored = |digest: String| {
        f.t.count(&format!(
            "SELECT COUNT(*) FROM invites WHERE code_digest = '{digest}'"
        ))
    };
    assert_eq!(
        stored(lobby_model::domain::secret_token::secret_digest(&made.code)),
        0
    );
    assert_eq!(
        stored(lobby_server::invites::code_digest(&key, &made.code)),
        1
    );

    // The code as people type it (lower case, dash) is the same code.
    let typed = format!("{}-{}", &made.code[..5], &made.code[5..]).to_lowercase();
    let grant = f.join(&typed, "0811111111", "น้องเอ").await;
    let member = grant["person_id"].as_str().unwrap().to_string();
    let member_token = token(&grant);
    assert_eq!(f.members(), 1);
    assert_eq!(f.pending(), 0);

    // The owner sees the member by name and the invitation as accepted.
    let after = f
        .pull(&f.owner, json!({"epoch": 1, "cursors": page.cursors}))
        .await;
    let mut saw_member = false;
    let mut saw_accepted = false;
    for c in &after.changes {
        match &c.record {
            Record::Member(m) => {
                assert_eq!(c.scope, owners);
                assert_eq!(
                    (m.person_id.as_str(), m.name.as_str()),
                    (member.as_str(), "น้องเอ")
                );
                assert_eq!(m.role, Role::Resident);
                saw_member = true;
            }
            Record::Invite(i) => {
                assert_eq!(i.status, InviteStatus::Accepted);
                assert_eq!(i.accepted_by.as_deref(), Some("น้องเอ"));
                saw_accepted = true;
            }
            _ => {}
        }
    }
    assert!(saw_member && saw_accepted);

    // The new member pulls the unit, but not the owners' scope.
    let mine = f.pull(&member_token, json!({})).await;
    assert!(mine.cursors.contains_key(&format!("unit:{}", f.unit)));
    assert!(!mine.cursors.contains_key(&owners));
    assert!(mine
        .changes
        .iter()
        .any(|c| matches!(&c.record, Record::Unit(u) if u.id == f.unit)));
    assert!(mine.changes.iter().any(
        |c| matches!(&c.record, Record::Membership(m) if m.unit_id == f.unit && m.role == Role::Resident)
    ));
    assert!(!mine
        .changes
        .iter()
        .any(|c| matches!(c.record, Record::Invite(_) | Record::Member(_))));
    // Asking for the owners' scope anyway gets it listed as removed, nothing else.
    let probe = f
        .pull(
            &member_token,
            json!({"epoch": 1, "cursors": {owners.clone(): 0}}),
        )
        .await;
    assert_eq!(probe.removed_scopes, vec![owners]);
    assert!(!probe
        .changes
        .iter()
        .any(|c| matches!(c.record, Record::Invite(_) | Record::Member(_))));

    // The member signs in again by OTP (no password was needed).
    f.t.age_otp_sends(61);
    let sent =
        f.t.post_ok("/v1/auth/otp", json!({"to": "0811111111"}), None)
            .await;
    let otp = f.t.admin.peek_otp("0811111111").await.unwrap().code;
    let again =
        f.t.post_ok(
            "/v1/auth/otp/verify",
            json!({"request_id": sent["request_id"], "code": otp}),
            None,
        )
        .await;
    assert_eq!(again["person_id"], member.as_str());
    f.t.shutdown().await;
}

#[tokio::test]
async fn the_sixth_counting_members_and_pending_codes_is_refused_and_a_revoke_frees_a_place() {
    let f = fixture().await;
    for (i, phone) in ["0811111111", "0822222222"].iter().enumerate() {
        let made = f.invite(if i == 0 { "resident" } else { "tenant" }).await;
        f.join(&made.code, phone, "ผู้อยู่").await;
    }
    let mut pending = Vec::new();
    for _ in 0..3 {
        pending.push(f.invite("tenant").await);
    }
    assert_eq!((f.members(), f.pending()), (2, 3));
    let sixth = f
        .push_one(
            &f.owner,
            invite_create(Uuid::now_v7(), &f.unit, "resident", &generate_invite_code()),
        )
        .await;
    assert_eq!(rejected_code(&sixth), "invite_cap_reached");
    assert!(sixth["message"].as_str().unwrap().contains('5'));
    assert_eq!(f.pending(), 3);

    let revoked = f
        .push_one(
            &f.owner,
            json!({"invite_revoke": {"invite_id": pending[0].id}}),
        )
        .await;
    assert_eq!(revoked["status"], "applied");
    assert_eq!(f.pending(), 2);
    f.invite("resident").await;
    assert_eq!(f.pending(), 3);
    // An expired code no longer holds a place.
    f.t.db_write(&format!(
        "UPDATE invites SET expires_at = 0 WHERE id = '{}'",
        pending[1].id
    ));
    f.invite("resident").await;
    f.t.shutdown().await;
}

#[tokio::test]
async fn revoked_used_expired_and_malformed_codes_get_their_own_codes() {
    let f = fixture().await;
    let revoked = f.invite("resident").await;
    f.push_one(
        &f.owner,
        json!({"invite_revoke": {"invite_id": revoked.id}}),
    )
    .await;
    let (s, v) = f.accept(&revoked.code, "0811111111", None).await;
    assert_eq!(
        (s, code_of(&v)),
        (StatusCode::BAD_REQUEST, "invite_revoked")
    );

    let used = f.invite("tenant").await;
    f.join(&used.code, "0811111111", "เช่า").await;
    let (s, v) = f.accept(&used.code, "0822222222", None).await;
    assert_eq!((s, code_of(&v)), (StatusCode::BAD_REQUEST, "invite_used"));

    let expired = f.invite("resident").await;
    f.t.db_write(&format!(
        "UPDATE invites SET expires_at = created_at - 1 WHERE id = '{}'",
        expired.id
    ));
    let (_, v) = f.accept(&expired.code, "0822222222", None).await;
    assert_eq!(code_of(&v), "invite_expired");

    for bad in ["ABC", "ABCDE-FGHJU", "กขคงจฉชซฌญ"] {
        let (s, v) = f.accept(bad, "0833333333", None).await;
        assert_eq!(
            (s, code_of(&v)),
            (StatusCode::BAD_REQUEST, "invite_invalid"),
            "{bad}"
        );
    }
    let (_, v) = f.accept(&generate_invite_code(), "0833333333", None).await;
    assert_eq!(code_of(&v), "invite_invalid");
    let (_, v) = f.accept(&used.code, "not a phone", None).await;
    assert_eq!(code_of(&v), "phone_invalid");
    f.t.shutdown().await;
}

#[tokio::test]
async fn a_code_revoked_between_accept_and_verify_makes_no_member() {
    let f = fixture().await;
    let made = f.invite("resident").await;
    let (_, sent) = f.accept(&made.code, "0811111111", Some("ช้า")).await;
    f.push_one(&f.owner, json!({"invite_revoke": {"invite_id": made.id}}))
        .await;
    let otp = f.t.admin.peek_otp("0811111111").await.unwrap().code;
    let (s, v) =
        f.t.post(
            "/v1/auth/otp/verify",
            json!({"request_id": sent["request_id"], "code": otp}),
            None,
        )
        .await;
    assert_eq!(
        (s, code_of(&v)),
        (StatusCode::BAD_REQUEST, "invite_revoked")
    );
    assert_eq!(f.members(), 0);
    assert_eq!(
        f.t.count("SELECT COUNT(*) FROM people WHERE phone = '+66811111111'"),
        0
    );
    f.t.shutdown().await;
}

/// Wrong codes until refused; returns the 1-based attempt that was refused.
async fn guess_until_limited(f: &Fixture, phone: impl Fn(usize) -> String) -> usize {
    for i in 1..=20 {
        let (s, v) = f.accept(&generate_invite_code(), &phone(i), None).await;
        if s == StatusCode::TOO_MANY_REQUESTS {
            assert_eq!(code_of(&v), "rate_limited");
            assert!(v["error"]["retry_after_secs"].as_u64().unwrap() > 60);
            return i;
        }
        assert_eq!(code_of(&v), "invite_invalid");
    }
    panic!("20 wrong codes were never refused");
}

#[tokio::test]
async fn guessing_is_limited_per_phone_even_from_loopback_on_a_dev_server() {
    let f = fixture().await;
    let made = f.invite("resident").await;
    let refused_at = guess_until_limited(&f, |_| "0811111111".to_string()).await;
    assert!(refused_at <= 6, "refused only at attempt {refused_at}");
    // Limited before the code is looked at: even the right code is refused for that phone.
    let (s, v) = f.accept(&made.code, "+66811111111", None).await;
    assert_eq!(
        (s, code_of(&v)),
        (StatusCode::TOO_MANY_REQUESTS, "rate_limited")
    );
    // The loopback address is exempt on a dev server: another phone still gets in.
    let (s, v) = f.accept(&made.code, "0822222222", None).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    // The failures are in the database, not in memory.
    assert!(f.t.count("SELECT COUNT(*) FROM invite_guess_failures") >= 5);
    f.t.shutdown().await;
}

#[tokio::test]
async fn guessing_is_limited_per_address_on_a_production_server() {
    let t = server(false, None).await;
    let f = Fixture {
        t,
        owner: String::new(),
        unit: String::new(),
        payloads: Vec::new(),
    };
    // A new phone each time: only the address ties the guesses together.
    let refused_at = guess_until_limited(&f, |i| format!("08{:08}", 11_000_000 + i)).await;
    assert!(refused_at <= 6, "refused only at attempt {refused_at}");
    f.t.shutdown().await;
}

#[tokio::test]
async fn residents_tenants_and_other_owners_cannot_manage_members() {
    let f = fixture().await;
    let r = f.invite("resident").await;
    let resident = f.join(&r.code, "0811111111", "ผู้พัก").await;
    let tn = f.invite("tenant").await;
    let tenant = f.join(&tn.code, "0822222222", "ผู้เช่า").await;
    let resident_membership = f.membership_id(resident["person_id"].as_str().unwrap());
    let tenant_membership = f.membership_id(tenant["person_id"].as_str().unwrap());
    let pending = f.invite("resident").await;

    for grant in [&resident, &tenant] {
        let outs = f
            .push(
                &token(grant),
                vec![
                    invite_create(Uuid::now_v7(), &f.unit, "resident", &generate_invite_code()),
                    json!({"invite_revoke": {"invite_id": pending.id}}),
                    json!({"member_remove": {"membership_id": resident_membership}}),
                    json!({"member_remove": {"membership_id": tenant_membership}}),
                ],
            )
            .await;
        for out in &outs {
            assert_eq!(rejected_code(out), "forbidden");
        }
    }
    // The owner of another unit is a stranger here.
    let jane = f.t.onboard(&f.payloads[2], "0899999999").await;
    let out = f
        .push_one(
            &token(&jane),
            invite_create(Uuid::now_v7(), &f.unit, "tenant", &generate_invite_code()),
        )
        .await;
    assert_eq!(rejected_code(&out), "forbidden");
    let out = f
        .push_one(
            &token(&jane),
            json!({"invite_revoke": {"invite_id": pending.id}}),
        )
        .await;
    assert_eq!(rejected_code(&out), "forbidden");
    // Owners are not invited and not removed here.
    let out = f
        .push_one(
            &f.owner,
            invite_create(Uuid::now_v7(), &f.unit, "owner", &generate_invite_code()),
        )
        .await;
    assert_eq!(rejected_code(&out), "invalid_input");
    let out = f
        .push_one(
            &f.owner,
            invite_create(Uuid::now_v7(), &f.unit, "tenant", "not-a-code"),
        )
        .await;
    assert_eq!(rejected_code(&out), "invalid_input");
    let owner_person: String =
        f.t.db()
            .query_row(
                "SELECT person_id FROM memberships WHERE unit_id = ?1 AND role = 'owner'",
                [&f.unit],
                |r| r.get(0),
            )
            .unwrap();
    let out = f
        .push_one(
            &f.owner,
            json!({"member_remove": {"membership_id": f.membership_id(&owner_person)}}),
        )
        .await;
    assert_eq!(rejected_code(&out), "forbidden");
    assert_eq!((f.members(), f.pending()), (2, 1));
    f.t.shutdown().await;
}

#[tokio::test]
async fn a_removed_member_loses_the_unit_on_their_next_pull() {
    let f = fixture().await;
    let made = f.invite("tenant").await;
    let grant = f.join(&made.code, "0811111111", "ผู้เช่า").await;
    let member = grant["person_id"].as_str().unwrap().to_string();
    let first = f.pull(&token(&grant), json!({})).await;
    let unit_scope = format!("unit:{}", f.unit);
    assert!(first.cursors.contains_key(&unit_scope));
    let owner_page = f.pull(&f.owner, json!({})).await;

    let membership = f.membership_id(&member);
    let out = f
        .push_one(
            &f.owner,
            json!({"member_remove": {"membership_id": membership}}),
        )
        .await;
    assert_eq!(out["status"], "applied");
    assert_eq!(f.members(), 0);

    let next = f
        .pull(
            &token(&grant),
            json!({"epoch": 1, "cursors": first.cursors}),
        )
        .await;
    assert!(
        next.removed_scopes.contains(&unit_scope),
        "{:?}",
        next.removed_scopes
    );
    assert!(!next.cursors.contains_key(&unit_scope));
    assert!(next.changes.iter().any(|c| matches!(&c.record,
        Record::Deleted(d) if d.id == membership && d.kind == lobby_model::protocol::EntityKind::Membership)));

    let owner_next = f
        .pull(&f.owner, json!({"epoch": 1, "cursors": owner_page.cursors}))
        .await;
    assert!(owner_next.changes.iter().any(|c| matches!(&c.record,
        Record::Deleted(d) if d.id == membership && d.kind == lobby_model::protocol::EntityKind::Member)));

    // Removing again changes nothing; the place is free again.
    let before = f.t.count("SELECT COUNT(*) FROM changes");
    let again = f
        .push_one(
            &f.owner,
            json!({"member_remove": {"membership_id": membership}}),
        )
        .await;
    assert_eq!(again["status"], "applied");
    assert_eq!(f.t.count("SELECT COUNT(*) FROM changes"), before);
    let unknown = f
        .push_one(
            &f.owner,
            json!({"member_remove": {"membership_id": "nope"}}),
        )
        .await;
    assert_eq!(rejected_code(&unknown), "not_found");
    f.t.shutdown().await;
}

#[tokio::test]
async fn two_devices_creating_four_each_at_once_make_exactly_five() {
    let f = fixture().await;
    // The same owner on a second device: a second session from another HTTP client.
    let second =
        f.t.post_ok(
            "/v1/auth/password",
            json!({"to": OWNER_PHONE, "password": PASSWORD}),
            None,
        )
        .await;
    let devices = [f.owner.clone(), token(&second)];
    let batches: Vec<Vec<Value>> = (0..2)
        .map(|_| {
            (0..4)
                .map(|_| {
                    envelope(
                        Uuid::now_v7(),
                        invite_create(Uuid::now_v7(), &f.unit, "resident", &generate_invite_code()),
                    )
                })
                .collect()
        })
        .collect();
    let send = |device: usize| {
        let http = reqwest::Client::new();
        let url = format!("{}/v1/sync/push", f.t.url);
        let body = json!({ "mutations": batches[device] });
        let bearer = devices[device].clone();
        async move {
            let r = http
                .post(url)
                .bearer_auth(bearer)
                .json(&body)
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), StatusCode::OK);
            r.json::<Value>().await.unwrap()
        }
    };
    let (a, b) = tokio::join!(send(0), send(1));

    let mut applied = 0;
    let mut refused = 0;
    for (device, answer) in [a, b].iter().enumerate() {
        let results = answer["results"].as_array().unwrap();
        assert_eq!(results.len(), 4);
        for (sent, result) in batches[device].iter().zip(results) {
            // Every answer goes back to the device that sent the mutation.
            assert_eq!(result["id"], sent["id"]);
            match result["outcome"]["status"].as_str() {
                Some("applied") => applied += 1,
                _ => {
                    assert_eq!(rejected_code(&result["outcome"]), "invite_cap_reached");
                    refused += 1;
                }
            }
        }
    }
    assert_eq!((applied, refused), (5, 3));
    assert_eq!(f.pending(), 5);
    assert_eq!(
        f.t.count("SELECT COUNT(*) FROM mutations WHERE kind = 'invite_create'"),
        8
    );
    f.t.shutdown().await;
}

#[tokio::test]
async fn the_same_invite_create_twice_is_one_invitation() {
    let f = fixture().await;
    let invite_id = Uuid::now_v7();
    let body = json!({"mutations": [envelope(
        Uuid::now_v7(),
        invite_create(invite_id, &f.unit, "tenant", &generate_invite_code()),
    )]});
    let r1 =
        f.t.post_ok("/v1/sync/push", body.clone(), Some(&f.owner))
            .await;
    let r2 = f.t.post_ok("/v1/sync/push", body, Some(&f.owner)).await;
    assert_eq!(r1, r2);
    assert_eq!(r1["results"][0]["outcome"]["status"], "applied");
    assert_eq!(f.pending(), 1);
    assert_eq!(
        f.t.count("SELECT COUNT(*) FROM changes WHERE record LIKE '%\"invite\"%'"),
        1
    );
    // The same invitation id under a new mutation id is a conflict, not a second row.
    let out = f
        .push_one(
            &f.owner,
            invite_create(invite_id, &f.unit, "tenant", &generate_invite_code()),
        )
        .await;
    assert_eq!(rejected_code(&out), "conflict");
    assert_eq!(f.pending(), 1);

    // Revoking twice, or revoking an unknown id, is applied with no further effect.
    for _ in 0..2 {
        let out = f
            .push_one(&f.owner, json!({"invite_revoke": {"invite_id": invite_id}}))
            .await;
        assert_eq!(out["status"], "applied");
    }
    let out = f
        .push_one(
            &f.owner,
            json!({"invite_revoke": {"invite_id": Uuid::now_v7()}}),
        )
        .await;
    assert_eq!(out["status"], "applied");
    assert_eq!(
        f.t.count("SELECT COUNT(*) FROM changes WHERE record LIKE '%\"invite\"%'"),
        2
    );
    f.t.shutdown().await;
}

#[tokio::test]
async fn an_owner_of_two_units_invites_per_unit() {
    let mut f = fixture().await;
    f.t.post_ok(
        "/v1/onboarding/claim",
        json!({"payload": f.payloads[1]}),
        Some(&f.owner),
    )
    .await;
    for _ in 0..5 {
        f.invite("resident").await;
    }
    let first_unit = f.unit.clone();
    f.unit =
        f.t.db()
            .query_row(
                "SELECT unit_id FROM onboarding_tokens WHERE used_at IS NOT NULL AND unit_id != ?1",
                [&first_unit],
                |r| r.get(0),
            )
            .unwrap();
    f.invite("tenant").await;
    assert_eq!(f.pending(), 1);
    f.t.shutdown().await;
}

#[tokio::test]
async fn a_member_renaming_themselves_is_listed_to_the_owner_by_the_new_name() {
    let f = fixture().await;
    let made = f.invite("resident").await;
    let grant = f.join(&made.code, "0811111111", "ชื่อเดิม").await;
    let seen = f.pull(&f.owner, json!({})).await;
    let out = f
        .push_one(
            &token(&grant),
            json!({"profile_update": {"display_name": "ชื่อใหม่"}}),
        )
        .await;
    assert_eq!(out["status"], "applied");
    let next = f
        .pull(&f.owner, json!({"epoch": 1, "cursors": seen.cursors}))
        .await;
    assert!(next.changes.iter().any(
        |c| matches!(&c.record, Record::Member(m) if m.name == "ชื่อใหม่" && m.unit_id == f.unit)
    ));
    f.t.shutdown().await;
}

fn invite_revoke(invite_id: Uuid) -> Value {
    json!({"invite_revoke": {"invite_id": invite_id}})
}

impl Fixture {
    /// Jane, owner of B-1203, signed in with a live code for her unit: her token, unit
    /// and code.
    async fn other_owner_with_a_live_code(&self) -> (String, String, String) {
        let grant = self.t.onboard(&self.payloads[2], "0899999999").await;
        let token = grant["access_token"].as_str().unwrap().to_string();
        let unit: String = rusqlite::Connection::open(&self.t.db_path)
            .unwrap()
            .query_row("SELECT id FROM units WHERE number = 'B-1203'", [], |r| {
                r.get(0)
            })
            .unwrap();
        let code = generate_invite_code();
        let out = self
            .push_one(
                &token,
                invite_create(Uuid::now_v7(), &unit, "tenant", &code),
            )
            .await;
        assert_eq!(out["status"], "applied", "{out}");
        (token, unit, code)
    }
}

#[tokio::test]
async fn the_push_attack_of_issue_7_no_longer_finds_another_units_live_code() {
    // Issue 7: 100 × (create with a random code + revoke), then a create carrying another
    // unit's pending code, in one push: the random ones were applied and the live one
    // answered `conflict` — 101 guesses in 0.04 s.
    let f = fixture().await;
    let (_, _, live) = f.other_owner_with_a_live_code().await;
    let mut mutations = Vec::new();
    for _ in 0..100 {
        let id = Uuid::now_v7();
        mutations.push(invite_create(
            id,
            &f.unit,
            "tenant",
            &generate_invite_code(),
        ));
        mutations.push(invite_revoke(id));
    }
    mutations.push(invite_create(Uuid::now_v7(), &f.unit, "tenant", &live));
    let out = f.push(&f.owner, mutations).await;
    let creates: Vec<&Value> = out.iter().step_by(2).collect();
    let budget = lobby_model::domain::invites::INVITE_CREATES_PER_DAY;
    let applied = creates.iter().filter(|o| o["status"] == "applied").count();
    assert_eq!(applied, budget, "a day's budget of creations, no more");
    for o in &creates[budget..] {
        assert_eq!(rejected_code(o), "rate_limited", "{o}");
    }
    // The probe with the live code learned nothing: it was refused like any other.
    assert_eq!(rejected_code(creates[100]), "rate_limited");
    f.t.shutdown().await;
}

#[tokio::test]
async fn a_pushed_code_that_collides_costs_a_guess_shared_with_the_accept_endpoint() {
    let f = fixture().await;
    let (jane, _, live) = f.other_owner_with_a_live_code().await;
    // A used-up (revoked) code collides with the same answer as a live one.
    let dead_id = Uuid::now_v7();
    let dead = generate_invite_code();
    let unit_b: String = rusqlite::Connection::open(&f.t.db_path)
        .unwrap()
        .query_row("SELECT id FROM units WHERE number = 'B-1203'", [], |r| {
            r.get(0)
        })
        .unwrap();
    f.push(
        &jane,
        vec![
            invite_create(dead_id, &unit_b, "tenant", &dead),
            invite_revoke(dead_id),
        ],
    )
    .await;
    let on_live = f
        .push_one(
            &f.owner,
            invite_create(Uuid::now_v7(), &f.unit, "tenant", &live),
        )
        .await;
    let on_dead = f
        .push_one(
            &f.owner,
            invite_create(Uuid::now_v7(), &f.unit, "tenant", &dead),
        )
        .await;
    assert_eq!(rejected_code(&on_live), "conflict");
    assert_eq!(on_live, on_dead, "live and dead codes answer alike");
    // Three more collisions use up the five guesses of the window …
    for _ in 0..3 {
        let o = f
            .push_one(
                &f.owner,
                invite_create(Uuid::now_v7(), &f.unit, "tenant", &live),
            )
            .await;
        assert_eq!(rejected_code(&o), "conflict");
    }
    // … after which the owner can neither push codes nor guess at the accept endpoint
    // with their phone, from another address or not.
    let o = f
        .push_one(
            &f.owner,
            invite_create(Uuid::now_v7(), &f.unit, "tenant", &generate_invite_code()),
        )
        .await;
    assert_eq!(rejected_code(&o), "rate_limited");
    let (status, v) = f.accept(&generate_invite_code(), OWNER_PHONE, None).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{v}");
    // Nothing the owner pushed was stored for their unit.
    assert_eq!(f.pending(), 0);
    f.t.shutdown().await;
}
