//! Login and sessions (DESIGN.md §2.2).

mod common;

use common::*;
use reqwest::StatusCode;
use serde_json::{json, Value};

const PHONE: &str = "081-234-5678";

async fn with_account() -> (TestServer, Value) {
    let t = dev_server().await;
    let (_, imported) = t.project_with_owners(REGISTRY).await;
    let grant = t
        .onboard(&imported.units[0].onboarding_payload, PHONE)
        .await;
    t.age_otp_sends(61);
    (t, grant)
}

fn shape(v: &Value) -> Vec<String> {
    let mut keys: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
    keys.sort();
    keys
}

#[tokio::test]
async fn login_otp_to_an_unknown_account_answers_exactly_like_a_known_one() {
    let (t, _) = with_account().await;
    let (s1, known) = t.post("/v1/auth/otp", json!({"to": PHONE}), None).await;
    let (s2, unknown) = t
        .post("/v1/auth/otp", json!({"to": "0861111111"}), None)
        .await;
    assert_eq!((s1, s2), (StatusCode::OK, StatusCode::OK));
    assert_eq!(shape(&known), shape(&unknown));
    assert_eq!(unknown["sent_to"], "+66 8••••1111");
    // Only the real account got a code; the unknown one's can never verify.
    assert!(t.admin.peek_otp("0861111111").await.is_err());
    let (_, v) = t
        .post(
            "/v1/auth/otp/verify",
            json!({"request_id": unknown["request_id"], "code": "123456"}),
            None,
        )
        .await;
    assert_eq!(code_of(&v), "otp_invalid");
    // And the send limits apply alike.
    let (_, v) = t
        .post("/v1/auth/otp", json!({"to": "0861111111"}), None)
        .await;
    assert_eq!(code_of(&v), "rate_limited");
    t.shutdown().await;
}

#[tokio::test]
async fn otp_login_with_the_delivered_code_starts_a_session() {
    let (t, grant) = with_account().await;
    let sent = t
        .post_ok("/v1/auth/otp", json!({"to": "+66812345678"}), None)
        .await;
    let code = t.admin.peek_otp(PHONE).await.unwrap().code;
    let v = t
        .post_ok(
            "/v1/auth/otp/verify",
            json!({"request_id": sent["request_id"], "code": code}),
            None,
        )
        .await;
    assert_eq!(v["person_id"], grant["person_id"]);
    // Single use.
    let (_, again) = t
        .post(
            "/v1/auth/otp/verify",
            json!({"request_id": sent["request_id"], "code": code}),
            None,
        )
        .await;
    assert_eq!(code_of(&again), "otp_locked");
    t.shutdown().await;
}

#[tokio::test]
async fn verify_with_an_unknown_request_id_answers_no_pending_otp() {
    let t = dev_server().await;
    let (_, v) = t
        .post(
            "/v1/auth/otp/verify",
            json!({"request_id": "nope", "code": "123456"}),
            None,
        )
        .await;
    assert_eq!(code_of(&v), "no_pending_otp");
    t.shutdown().await;
}

#[tokio::test]
async fn password_login_with_the_right_password_starts_a_session() {
    let (t, grant) = with_account().await;
    let v = t
        .post_ok(
            "/v1/auth/password",
            json!({"to": "0812345678", "password": PASSWORD}),
            None,
        )
        .await;
    assert_eq!(v["person_id"], grant["person_id"]);
    t.shutdown().await;
}

#[tokio::test]
async fn wrong_password_and_unknown_account_both_answer_invalid_credentials() {
    let (t, _) = with_account().await;
    let (s1, wrong) = t
        .post(
            "/v1/auth/password",
            json!({"to": PHONE, "password": "Wrong0ne!"}),
            None,
        )
        .await;
    let (s2, unknown) = t
        .post(
            "/v1/auth/password",
            json!({"to": "0861111111", "password": PASSWORD}),
            None,
        )
        .await;
    assert_eq!(
        (s1, s2),
        (StatusCode::UNAUTHORIZED, StatusCode::UNAUTHORIZED)
    );
    assert_eq!(wrong, unknown);
    assert_eq!(code_of(&wrong), "invalid_credentials");
    t.shutdown().await;
}

#[tokio::test]
async fn repeated_wrong_passwords_are_rate_limited_per_account() {
    let (t, _) = with_account().await;
    for _ in 0..10 {
        let (_, v) = t
            .post(
                "/v1/auth/password",
                json!({"to": PHONE, "password": "Wrong0ne!"}),
                None,
            )
            .await;
        assert_eq!(code_of(&v), "invalid_credentials");
    }
    let (status, v) = t
        .post(
            "/v1/auth/password",
            json!({"to": PHONE, "password": PASSWORD}),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert!(v["error"]["retry_after_secs"].as_u64().unwrap() > 0);
    t.shutdown().await;
}

#[tokio::test]
async fn refresh_rotates_and_the_old_access_token_stops_working() {
    let (t, grant) = with_account().await;
    let next = t
        .post_ok(
            "/v1/auth/refresh",
            json!({"refresh_token": grant["refresh_token"]}),
            None,
        )
        .await;
    assert_ne!(next["refresh_token"], grant["refresh_token"]);
    let (status, _) = t
        .post("/v1/sync/pull", json!({}), grant["access_token"].as_str())
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    t.post_ok("/v1/sync/pull", json!({}), next["access_token"].as_str())
        .await;
    t.shutdown().await;
}

#[tokio::test]
async fn reusing_a_rotated_refresh_token_revokes_the_whole_session() {
    let (t, grant) = with_account().await;
    let next = t
        .post_ok(
            "/v1/auth/refresh",
            json!({"refresh_token": grant["refresh_token"]}),
            None,
        )
        .await;
    let (status, v) = t
        .post(
            "/v1/auth/refresh",
            json!({"refresh_token": grant["refresh_token"]}),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(code_of(&v), "unauthorized");
    // The thief's copy and the rightful newest tokens are all dead now.
    let (status, _) = t
        .post("/v1/sync/pull", json!({}), next["access_token"].as_str())
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _) = t
        .post(
            "/v1/auth/refresh",
            json!({"refresh_token": next["refresh_token"]}),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    t.shutdown().await;
}

#[tokio::test]
async fn logout_revokes_this_session_only() {
    let (t, grant) = with_account().await;
    let other = t
        .post_ok(
            "/v1/auth/password",
            json!({"to": PHONE, "password": PASSWORD}),
            None,
        )
        .await;
    t.post_ok("/v1/auth/logout", json!({}), grant["access_token"].as_str())
        .await;
    let (status, _) = t
        .post("/v1/sync/pull", json!({}), grant["access_token"].as_str())
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _) = t
        .post(
            "/v1/auth/refresh",
            json!({"refresh_token": grant["refresh_token"]}),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    t.post_ok("/v1/sync/pull", json!({}), other["access_token"].as_str())
        .await;
    t.shutdown().await;
}

#[tokio::test]
async fn logout_everywhere_revokes_every_session_of_the_person() {
    let (t, grant) = with_account().await;
    let other = t
        .post_ok(
            "/v1/auth/password",
            json!({"to": PHONE, "password": PASSWORD}),
            None,
        )
        .await;
    t.post_ok(
        "/v1/auth/logout",
        json!({"everywhere": true}),
        grant["access_token"].as_str(),
    )
    .await;
    for token in [&grant, &other] {
        let (status, _) = t
            .post("/v1/sync/pull", json!({}), token["access_token"].as_str())
            .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    t.shutdown().await;
}

#[tokio::test]
async fn a_missing_or_garbage_bearer_token_is_unauthorized() {
    let t = dev_server().await;
    for token in [None, Some("garbage"), Some("")] {
        let (status, v) = t.post("/v1/sync/pull", json!({}), token).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert_eq!(code_of(&v), "unauthorized");
    }
    t.shutdown().await;
}

#[tokio::test]
async fn tokens_are_stored_only_as_digests() {
    let (t, grant) = with_account().await;
    let access = grant["access_token"].as_str().unwrap();
    let n: i64 = t
        .db()
        .query_row(
            "SELECT COUNT(*) FROM sessions WHERE access_digest = ?1 OR refresh_digest = ?1",
            [access],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(n, 0);
    assert_eq!(t.count("SELECT COUNT(*) FROM sessions"), 1);
    t.shutdown().await;
}
