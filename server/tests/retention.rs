//! Retention (issue 11, DESIGN.md §2.8): what the server deletes once past its period,
//! against a real server — each category only after its period (runs at chosen times on
//! the server's database), live data surviving a run (a signed-in phone keeps working, a
//! fresh onboarding QR still onboards), a second run removing nothing, and the admin
//! endpoint for platform staff only.

mod common;

use chrono::{DateTime, Duration, Utc};
use common::*;
use lobby_model::domain::device_key::DeviceKey;
use lobby_model::ErrorCode;
use lobby_server::retention::{run, Removed};
use lobby_server::storage::SqliteStorage;
use reqwest::StatusCode;
use serde_json::{json, Value};

/// The server's database as a second engine, to run retention at a chosen time.
fn storage(t: &TestServer) -> SqliteStorage {
    SqliteStorage::open(&t.db_path).expect("open db")
}

fn removed(run: &[Removed], category: &str) -> usize {
    run.iter()
        .find(|r| r.category == category)
        .map(|r| r.count)
        .unwrap_or_else(|| panic!("no category {category}"))
}

/// One timestamp column of one row, as stored (Unix milliseconds).
fn time_of(t: &TestServer, sql: &str) -> DateTime<Utc> {
    let ms: i64 = t.db().query_row(sql, [], |r| r.get(0)).expect(sql);
    DateTime::from_timestamp_millis(ms).expect("a time")
}

/// The admin answer as (category, count) pairs with a count.
fn nonzero(answer: &Value) -> Vec<(String, u64)> {
    answer["removed"]
        .as_array()
        .expect("removed")
        .iter()
        .filter(|r| r["count"].as_u64() != Some(0))
        .map(|r| {
            (
                r["category"].as_str().unwrap_or("").to_string(),
                r["count"].as_u64().unwrap_or(0),
            )
        })
        .collect()
}

async fn run_now(t: &TestServer) -> Value {
    t.post_ok("/v1/admin/retention/run", json!({}), Some(&t.staff_token))
        .await
}

async fn password_sign_in(t: &TestServer, phone: &str) -> Value {
    t.post_ok(
        "/v1/auth/password",
        json!({"to": phone, "password": PASSWORD}),
        None,
    )
    .await
}

async fn register_key(t: &TestServer, access_token: &str) -> String {
    let key = DeviceKey::generate();
    let body = json!({"mutations": [{
        "id": uuid::Uuid::now_v7(),
        "created_at": Utc::now(),
        "mutation": {"device_key_register": {"key_id": key.key_id, "public_key": key.public_key_hex()}},
    }]});
    let out = t.post_ok("/v1/sync/push", body, Some(access_token)).await;
    assert_eq!(out["results"][0]["outcome"]["status"], "applied", "{out}");
    key.key_id.to_string()
}

async fn logout(t: &TestServer, access_token: &str) {
    t.post_ok("/v1/auth/logout", json!({}), Some(access_token))
        .await;
}

fn family_of(t: &TestServer, access_token: &str) -> String {
    let digest = lobby_model::domain::secret_token::secret_digest(access_token);
    t.db()
        .query_row(
            "SELECT family_id FROM sessions WHERE access_digest = ?1",
            [digest],
            |r| r.get(0),
        )
        .expect("the session's family")
}

#[tokio::test]
async fn only_platform_staff_run_it_and_a_second_run_removes_nothing() {
    let t = dev_server().await;
    let project = t.project().await;
    let limited = add_staff(&t.db_path, Some(&project));
    let (status, v) = t
        .post("/v1/admin/retention/run", json!({}), Some(&limited))
        .await;
    assert_eq!(
        (status, code_of(&v)),
        (StatusCode::FORBIDDEN, "forbidden"),
        "{v}"
    );
    let limited = lobby_server::AdminClient::new(&t.url, &limited);
    assert_eq!(
        limited.run_retention().await.unwrap_err().code,
        ErrorCode::Forbidden
    );
    let (status, _) = t.post("/v1/admin/retention/run", json!({}), None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    // Something past its period: a send counted long ago.
    t.db_write("INSERT INTO otp_sends (key, created_at) VALUES ('to:x', 0)");
    let first = t.admin.run_retention().await.unwrap();
    let names: Vec<&str> = first.removed.iter().map(|r| r.category.as_str()).collect();
    assert_eq!(
        names,
        [
            "expired_otp_codes",
            "otp_send_counts",
            "unfinished_uploads",
            "invite_guess_failures",
            "expired_onboarding_tokens",
            "used_onboarding_tokens",
            "closed_sessions",
            "revoked_device_keys",
            "departed_accounts",
        ]
    );
    assert_eq!(nonzero(&json!(first)), [("otp_send_counts".into(), 1)]);
    let second = run_now(&t).await;
    assert_eq!(
        second["removed"].as_array().map(Vec::len),
        Some(names.len())
    );
    assert!(nonzero(&second).is_empty(), "idempotent: {second}");
    t.shutdown().await;
}

#[tokio::test]
async fn onboarding_tokens_go_only_after_their_period_and_a_fresh_one_still_onboards() {
    let t = dev_server().await;
    let (_, imported) = t.project_with_owners(REGISTRY).await;
    t.onboard(&imported.units[0].onboarding_payload, "0812345678")
        .await;
    let db = storage(&t);
    let used_at = time_of(
        &t,
        "SELECT used_at FROM onboarding_tokens WHERE used_at IS NOT NULL",
    );
    let ms = Duration::milliseconds(1);

    // The used token: evidence for 30 days after its use, not a moment longer.
    let before = run(&db, used_at + Duration::days(30) - ms).unwrap();
    assert_eq!(removed(&before, "used_onboarding_tokens"), 0);
    let at = run(&db, used_at + Duration::days(30)).unwrap();
    assert_eq!(removed(&at, "used_onboarding_tokens"), 1);
    assert_eq!(removed(&at, "expired_onboarding_tokens"), 0);
    assert_eq!(
        t.count("SELECT COUNT(*) FROM onboarding_tokens WHERE used_at IS NOT NULL"),
        0
    );

    // A fresh token (today's) is untouched by a run now, and still onboards.
    let now = run_now(&t).await;
    assert!(
        nonzero(&now).iter().all(|(c, _)| !c.contains("onboarding")),
        "{now}"
    );
    let grant = t
        .onboard(&imported.units[2].onboarding_payload, "0899999999")
        .await;
    assert!(grant["access_token"].is_string());

    // An unused token: 7 days after its expiry, voided or not. (Issued a day earlier
    // than its replacement: expiry times are whole seconds.)
    t.db_write(&format!(
        "UPDATE onboarding_tokens SET expires_at = expires_at - 86400000 WHERE unit_id = '{}'",
        imported.units[1].unit_id
    ));
    let reissued = t
        .admin
        .reissue_onboarding(&imported.units[1].unit_id)
        .await
        .unwrap();
    assert!(!reissued.onboarding_payload.is_empty());
    let expires_at = time_of(
        &t,
        "SELECT expires_at FROM onboarding_tokens WHERE voided_at IS NOT NULL",
    );
    let before = run(&db, expires_at + Duration::days(7) - ms).unwrap();
    assert_eq!(removed(&before, "expired_onboarding_tokens"), 0);
    let at = run(&db, expires_at + Duration::days(7)).unwrap();
    assert_eq!(
        removed(&at, "expired_onboarding_tokens"),
        1,
        "the voided one"
    );
    assert_eq!(
        t.count("SELECT COUNT(*) FROM onboarding_tokens WHERE used_at IS NULL"),
        1,
        "the reissued token, which expires later"
    );
    t.shutdown().await;
}

#[tokio::test]
async fn closed_sessions_go_30_days_after_they_end_and_a_live_sign_in_keeps_working() {
    let t = dev_server().await;
    let (_, imported) = t.project_with_owners(REGISTRY).await;
    let grant = t
        .onboard(&imported.units[0].onboarding_payload, "0812345678")
        .await;
    // The live sign-in, refreshed twice: its first row and the next are rotated away.
    let mut live = grant;
    for _ in 0..2 {
        live = t
            .post_ok(
                "/v1/auth/refresh",
                json!({"refresh_token": live["refresh_token"]}),
                None,
            )
            .await;
    }
    let access = live["access_token"].as_str().unwrap().to_string();
    let family = family_of(&t, &access);
    let rows: Vec<String> = {
        let db = t.db();
        let mut stmt = db
            .prepare("SELECT id FROM sessions WHERE family_id = ?1 ORDER BY created_at")
            .unwrap();
        stmt.query_map([&family], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    };
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[0], family, "the first row is the family's");

    // A second sign-in with a device key, signed out.
    let other = password_sign_in(&t, "0812345678").await;
    let other_access = other["access_token"].as_str().unwrap().to_string();
    let other_family = family_of(&t, &other_access);
    let key = register_key(&t, &other_access).await;
    logout(&t, &other_access).await;

    // Boundaries, at chosen times: the signed-out row goes 30 days after its end.
    let db = storage(&t);
    let ended = time_of(
        &t,
        &format!("SELECT revoked_at FROM sessions WHERE family_id = '{other_family}'"),
    );
    let ms = Duration::milliseconds(1);
    let before = run(&db, ended + Duration::days(30) - ms).unwrap();
    assert_eq!(removed(&before, "closed_sessions"), 0);
    assert_eq!(removed(&before, "revoked_device_keys"), 0);

    // Age the rows instead and run through the endpoint: the rotated rows' tokens
    // expired 31 days ago, the signed-out sign-in ended then.
    let month_ago = (Utc::now() - Duration::days(31)).timestamp_millis();
    t.db_write(&format!(
        "UPDATE sessions SET refresh_expires_at = {month_ago} WHERE id IN ('{}', '{}')",
        rows[0], rows[1]
    ));
    t.db_write(&format!(
        "UPDATE sessions SET revoked_at = {month_ago} WHERE family_id = '{other_family}'"
    ));
    t.db_write(&format!(
        "UPDATE device_keys SET revoked_at = {month_ago} WHERE key_id = '{key}'"
    ));
    let answer = run_now(&t).await;
    assert_eq!(
        nonzero(&answer),
        [
            ("closed_sessions".to_string(), 2),
            ("revoked_device_keys".to_string(), 1)
        ],
        "{answer}"
    );
    let left: Vec<String> = {
        let db = t.db();
        let mut stmt = db
            .prepare("SELECT id FROM sessions ORDER BY created_at")
            .unwrap();
        stmt.query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    };
    assert_eq!(
        left,
        [rows[0].clone(), rows[2].clone()],
        "the live sign-in keeps its first row (when it began) and its current one"
    );
    assert_eq!(t.count("SELECT COUNT(*) FROM device_keys"), 0);

    // The live sign-in works: its access token pulls, its refresh token rotates.
    t.post_ok("/v1/sync/pull", json!({}), Some(&access)).await;
    let refreshed = t
        .post_ok(
            "/v1/auth/refresh",
            json!({"refresh_token": live["refresh_token"]}),
            None,
        )
        .await;
    t.post_ok(
        "/v1/sync/pull",
        json!({}),
        refreshed["access_token"].as_str(),
    )
    .await;

    let again = run_now(&t).await;
    assert!(nonzero(&again).is_empty(), "idempotent: {again}");
    t.shutdown().await;
}

#[tokio::test]
async fn a_key_a_handover_names_stays_as_custody_evidence() {
    let t = dev_server().await;
    let (_, imported) = t.project_with_owners(REGISTRY).await;
    t.onboard(&imported.units[0].onboarding_payload, "0812345678")
        .await;
    let signed_in = password_sign_in(&t, "0812345678").await;
    let access = signed_in["access_token"].as_str().unwrap().to_string();
    let family = family_of(&t, &access);
    let key = register_key(&t, &access).await;
    logout(&t, &access).await;
    // A handover made with a pass of that key (the row as the pickup counter writes it).
    t.db_write(&format!(
        "INSERT INTO parcel_handovers (id, unit_id, method, collected_by, staff_id, key_id,
                                       pass_step, created_at)
         SELECT 'handover-1', u.id, 'pass', 'สมชาย', s.id, '{key}', 1, 0
         FROM units u, staff s LIMIT 1"
    ));
    let month_ago = (Utc::now() - Duration::days(31)).timestamp_millis();
    t.db_write(&format!(
        "UPDATE sessions SET revoked_at = {month_ago} WHERE family_id = '{family}'"
    ));
    t.db_write(&format!(
        "UPDATE device_keys SET revoked_at = {month_ago} WHERE key_id = '{key}'"
    ));
    let answer = run_now(&t).await;
    assert_eq!(
        nonzero(&answer),
        [("closed_sessions".to_string(), 1)],
        "{answer}"
    );
    assert_eq!(
        t.count(&format!(
            "SELECT COUNT(*) FROM device_keys WHERE key_id = '{key}'"
        )),
        1
    );
    t.shutdown().await;
}

#[tokio::test]
async fn spent_guesses_and_send_counts_go_after_their_windows() {
    let t = dev_server().await;
    let (_, imported) = t.project_with_owners(REGISTRY).await;
    t.onboard(&imported.units[0].onboarding_payload, "0812345678")
        .await;
    let (status, _) = t
        .post(
            "/v1/invites/accept",
            json!({"code": "ABCDE-FGHJK", "phone": "0899999999", "name": "x"}),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let guessed = time_of(&t, "SELECT MAX(created_at) FROM invite_guess_failures");
    let sent = time_of(&t, "SELECT MAX(created_at) FROM otp_sends");
    let db = storage(&t);
    let ms = Duration::milliseconds(1);

    let before = run(&db, guessed + Duration::minutes(15) - ms).unwrap();
    assert_eq!(removed(&before, "invite_guess_failures"), 0);
    let at = run(&db, guessed + Duration::minutes(15)).unwrap();
    assert!(removed(&at, "invite_guess_failures") >= 1);
    assert_eq!(t.count("SELECT COUNT(*) FROM invite_guess_failures"), 0);

    let before = run(&db, sent + Duration::days(1) - ms).unwrap();
    assert_eq!(removed(&before, "otp_send_counts"), 0);
    let at = run(&db, sent + Duration::days(1)).unwrap();
    assert!(removed(&at, "otp_send_counts") >= 1);
    assert_eq!(t.count("SELECT COUNT(*) FROM otp_sends"), 0);
    t.shutdown().await;
}

#[tokio::test]
async fn an_account_that_left_its_last_unit_is_erased_30_days_later_and_an_owner_never() {
    let t = dev_server().await;
    let (_, imported) = t.project_with_owners(REGISTRY).await;
    let unit = imported.units[0].unit_id.clone();
    let owner = t
        .onboard(&imported.units[0].onboarding_payload, "0812345678")
        .await;
    let owner = owner["access_token"].as_str().unwrap().to_string();
    let tenant = t
        .join(&owner, &unit, "tenant", "0861112222", "มานี มีนา")
        .await;
    let tenant_id = tenant["person_id"].as_str().unwrap().to_string();
    let membership: String = t
        .db()
        .query_row(
            "SELECT id FROM memberships WHERE person_id = ?1",
            [&tenant_id],
            |r| r.get(0),
        )
        .unwrap();
    let push = json!({"mutations": [{
        "id": uuid::Uuid::now_v7(), "created_at": Utc::now(),
        "mutation": {"member_remove": {"membership_id": membership}},
    }]});
    let out = t.post_ok("/v1/sync/push", push, Some(&owner)).await;
    assert_eq!(out["results"][0]["outcome"]["status"], "applied", "{out}");
    let left = time_of(
        &t,
        &format!("SELECT ended_at FROM memberships WHERE id = '{membership}'"),
    );

    let db = storage(&t);
    let early = run(&db, left + Duration::days(30) - Duration::milliseconds(1)).unwrap();
    assert_eq!(removed(&early, "departed_accounts"), 0);
    let due = run(&db, left + Duration::days(30)).unwrap();
    assert_eq!(removed(&due, "departed_accounts"), 1);
    assert_eq!(
        t.count(&format!(
            "SELECT COUNT(*) FROM people WHERE id = '{tenant_id}' AND erased_at IS NOT NULL AND phone IS NULL"
        )),
        1
    );
    assert_eq!(
        t.count("SELECT COUNT(*) FROM changes WHERE record LIKE '%มานี มีนา%'"),
        0
    );
    // Done once; the owner, with units, is never a departed account.
    let again = run(&db, left + Duration::days(400)).unwrap();
    assert_eq!(removed(&again, "departed_accounts"), 0);
    assert_eq!(
        t.count("SELECT COUNT(*) FROM people WHERE erased_at IS NOT NULL"),
        1
    );
    t.shutdown().await;
}
