//! Owner onboarding by QR (DESIGN.md §2.1).

mod common;

use chrono::{Duration, Utc};
use common::*;
use lobby_model::domain::onboarding::OnboardingPayload;
use lobby_model::domain::secret_token::secret_digest;
use lobby_server::storage::{NewOnboardingToken, SqliteStorage, Storage};
use reqwest::StatusCode;
use serde_json::json;

const PHONE: &str = "081-234-5678";

#[tokio::test]
async fn preview_shows_the_registration_a_qr_stands_for() {
    let t = dev_server().await;
    let (project, imported) = t.project_with_owners(REGISTRY).await;
    let v = t
        .post_ok(
            "/v1/onboarding/preview",
            json!({"payload": imported.units[0].onboarding_payload}),
            None,
        )
        .await;
    assert_eq!(v["project_id"], project.as_str());
    assert_eq!(v["project_name"], "อาคารชุดทดสอบ");
    assert_eq!(v["project_kind"], "condominium");
    assert_eq!(v["unit_number"], "12/345");
    assert_eq!(v["owner_name"], "สมชาย ใจดี");
    assert_eq!(v["ownership_ratio"], "1.25");
    assert_eq!(v["new_account"], true);
    t.shutdown().await;
}

#[tokio::test]
async fn happy_path_creates_the_account_the_owner_membership_and_a_session() {
    let t = dev_server().await;
    let (_, imported) = t.project_with_owners(REGISTRY).await;
    let sent = t
        .post_ok(
            "/v1/onboarding/start",
            json!({"payload": imported.units[0].onboarding_payload, "phone": PHONE, "password": PASSWORD,
                   "email": "Somchai@Example.com", "name": "สมชาย"}),
            None,
        )
        .await;
    assert_eq!(sent["sent_to"], "+66 8••••5678");
    let code = t.admin.peek_otp(PHONE).await.unwrap().code;
    let grant = t
        .post_ok(
            "/v1/onboarding/verify",
            json!({"request_id": sent["request_id"], "code": code}),
            None,
        )
        .await;
    let person = grant["person_id"].as_str().unwrap();
    assert!(grant["access_token"].as_str().unwrap().len() >= 40);
    let db = t.db();
    let (display, email, hash): (String, String, String) = db
        .query_row(
            "SELECT display_name, email, password_hash FROM people WHERE id = ?1",
            [person],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    assert_eq!(display, "สมชาย");
    assert_eq!(email, "somchai@example.com");
    assert!(hash.starts_with("$argon2id$"));
    let role: String = db
        .query_row(
            "SELECT role FROM memberships WHERE person_id = ?1",
            [person],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(role, "owner");
    // The registry person was activated, not duplicated.
    assert_eq!(t.count("SELECT COUNT(*) FROM people"), 2);
    // The same registry owner now previews as an existing account.
    let v = t
        .post_ok(
            "/v1/onboarding/preview",
            json!({"payload": imported.units[1].onboarding_payload}),
            None,
        )
        .await;
    assert_eq!(v["new_account"], false);
    t.shutdown().await;
}

#[tokio::test]
async fn a_consumed_payload_answers_onboarding_token_used() {
    let t = dev_server().await;
    let (_, imported) = t.project_with_owners(REGISTRY).await;
    let payload = &imported.units[0].onboarding_payload;
    t.onboard(payload, PHONE).await;
    let (status, v) = t
        .post("/v1/onboarding/preview", json!({"payload": payload}), None)
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(code_of(&v), "onboarding_token_used");
    let (_, v) = t
        .post(
            "/v1/onboarding/start",
            json!({"payload": payload, "phone": "0899999999", "password": PASSWORD}),
            None,
        )
        .await;
    assert_eq!(code_of(&v), "onboarding_token_used");
    t.shutdown().await;
}

#[tokio::test]
async fn a_tampered_payload_answers_onboarding_token_invalid() {
    let t = dev_server().await;
    let (_, imported) = t.project_with_owners(REGISTRY).await;
    let good = &imported.units[0].onboarding_payload;
    let mut chars: Vec<char> = good.chars().collect();
    let i = "LOBBY:ONBOARD:1:".len() + 2;
    chars[i] = if chars[i] == 'A' { 'B' } else { 'A' };
    let tampered: String = chars.into_iter().collect();
    let (status, v) = t
        .post("/v1/onboarding/preview", json!({"payload": tampered}), None)
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(code_of(&v), "onboarding_token_invalid");
    // Well-formed but never issued (checksum recomputed by a forger): also invalid.
    let forged = OnboardingPayload::issue(Utc::now(), Duration::days(30)).encode();
    let (_, v) = t
        .post("/v1/onboarding/preview", json!({"payload": forged}), None)
        .await;
    assert_eq!(code_of(&v), "onboarding_token_invalid");
    t.shutdown().await;
}

#[tokio::test]
async fn an_expired_payload_answers_onboarding_token_expired() {
    let t = dev_server().await;
    let (_, imported) = t.project_with_owners(REGISTRY).await;
    // The office issued this token 31 days ago with the default 30-day life.
    let old = OnboardingPayload::issue(Utc::now() - Duration::days(31), Duration::days(30));
    let storage = SqliteStorage::open(&t.db_path).unwrap();
    storage
        .reissue_onboarding(
            &imported.units[0].unit_id,
            &NewOnboardingToken {
                id: "expired".into(),
                digest: secret_digest(&old.token),
                expires_at: old.expires_at,
            },
            Utc::now() - Duration::days(31),
        )
        .unwrap();
    let (status, v) = t
        .post(
            "/v1/onboarding/preview",
            json!({"payload": old.encode()}),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(code_of(&v), "onboarding_token_expired");
    t.shutdown().await;
}

#[tokio::test]
async fn a_payload_replaced_by_a_reissue_answers_onboarding_token_invalid() {
    let t = dev_server().await;
    let (_, imported) = t.project_with_owners(REGISTRY).await;
    let old = &imported.units[0].onboarding_payload;
    let new = t
        .admin
        .reissue_onboarding(&imported.units[0].unit_id)
        .await
        .unwrap()
        .onboarding_payload;
    assert_ne!(&new, old);
    let (_, v) = t
        .post("/v1/onboarding/preview", json!({"payload": old}), None)
        .await;
    assert_eq!(code_of(&v), "onboarding_token_invalid");
    assert!(v["error"]["message"].as_str().unwrap().contains("replaced"));
    t.post_ok("/v1/onboarding/preview", json!({"payload": new}), None)
        .await;
    t.shutdown().await;
}

#[tokio::test]
async fn a_failed_verify_leaves_no_account_and_no_membership() {
    let t = dev_server().await;
    let (_, imported) = t.project_with_owners(REGISTRY).await;
    let sent = t
        .post_ok(
            "/v1/onboarding/start",
            json!({"payload": imported.units[0].onboarding_payload, "phone": PHONE, "password": PASSWORD}),
            None,
        )
        .await;
    let real = t.admin.peek_otp(PHONE).await.unwrap().code;
    let wrong = if real == "000000" { "111111" } else { "000000" };
    let (status, v) = t
        .post(
            "/v1/onboarding/verify",
            json!({"request_id": sent["request_id"], "code": wrong}),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(code_of(&v), "otp_invalid");
    assert_eq!(t.count("SELECT COUNT(*) FROM people WHERE activated_at IS NOT NULL OR password_hash IS NOT NULL"), 0);
    assert_eq!(t.count("SELECT COUNT(*) FROM memberships"), 0);
    assert_eq!(t.count("SELECT COUNT(*) FROM sessions"), 0);
    assert_eq!(
        t.count("SELECT COUNT(*) FROM onboarding_tokens WHERE used_at IS NOT NULL"),
        0
    );
    assert_eq!(
        t.count("SELECT COUNT(*) FROM changes WHERE scope LIKE 'person:%'"),
        0
    );
    t.shutdown().await;
}

#[tokio::test]
async fn a_token_used_by_someone_else_meanwhile_fails_verify_and_leaves_nothing() {
    let t = dev_server().await;
    let (_, imported) = t.project_with_owners(REGISTRY).await;
    let payload = &imported.units[2].onboarding_payload;
    // Two people start with the same QR; the first to verify wins.
    let first = t
        .post_ok(
            "/v1/onboarding/start",
            json!({"payload": payload, "phone": "0899999999", "password": PASSWORD}),
            None,
        )
        .await;
    let second = t
        .post_ok(
            "/v1/onboarding/start",
            json!({"payload": payload, "phone": "0877777777", "password": PASSWORD}),
            None,
        )
        .await;
    let c1 = t.admin.peek_otp("0899999999").await.unwrap().code;
    let c2 = t.admin.peek_otp("0877777777").await.unwrap().code;
    t.post_ok(
        "/v1/onboarding/verify",
        json!({"request_id": first["request_id"], "code": c1}),
        None,
    )
    .await;
    let (_, v) = t
        .post(
            "/v1/onboarding/verify",
            json!({"request_id": second["request_id"], "code": c2}),
            None,
        )
        .await;
    assert_eq!(code_of(&v), "onboarding_token_used");
    assert_eq!(
        t.count("SELECT COUNT(*) FROM people WHERE phone = '+66877777777'"),
        0
    );
    assert_eq!(t.count("SELECT COUNT(*) FROM memberships"), 1);
    t.shutdown().await;
}

#[tokio::test]
async fn five_wrong_codes_then_the_right_one_answers_otp_locked() {
    let t = dev_server().await;
    let (_, imported) = t.project_with_owners(REGISTRY).await;
    let sent = t
        .post_ok(
            "/v1/onboarding/start",
            json!({"payload": imported.units[0].onboarding_payload, "phone": PHONE, "password": PASSWORD}),
            None,
        )
        .await;
    let real = t.admin.peek_otp(PHONE).await.unwrap().code;
    let wrong = if real == "000000" { "111111" } else { "000000" };
    for _ in 0..5 {
        let (_, v) = t
            .post(
                "/v1/onboarding/verify",
                json!({"request_id": sent["request_id"], "code": wrong}),
                None,
            )
            .await;
        assert_eq!(code_of(&v), "otp_invalid");
    }
    let (_, v) = t
        .post(
            "/v1/onboarding/verify",
            json!({"request_id": sent["request_id"], "code": real}),
            None,
        )
        .await;
    assert_eq!(code_of(&v), "otp_locked");
    assert_eq!(t.count("SELECT COUNT(*) FROM memberships"), 0);
    t.shutdown().await;
}

#[tokio::test]
async fn a_second_code_within_60_seconds_is_rate_limited_with_a_retry_time() {
    let t = dev_server().await;
    let (_, imported) = t.project_with_owners(REGISTRY).await;
    let body = json!({"payload": imported.units[0].onboarding_payload, "phone": PHONE, "password": PASSWORD});
    t.post_ok("/v1/onboarding/start", body.clone(), None).await;
    let (status, v) = t.post("/v1/onboarding/start", body.clone(), None).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(code_of(&v), "rate_limited");
    let wait = v["error"]["retry_after_secs"].as_u64().unwrap();
    assert!((1..=60).contains(&wait), "{wait}");
    t.age_otp_sends(61);
    t.post_ok("/v1/onboarding/start", body, None).await;
    t.shutdown().await;
}

#[tokio::test]
async fn a_weak_password_is_refused_with_password_weak_and_no_code_is_sent() {
    let t = dev_server().await;
    let (_, imported) = t.project_with_owners(REGISTRY).await;
    let payload = &imported.units[0].onboarding_payload;
    for (pw, code) in [
        ("password1", "password_weak"),
        ("Pa1", "password_too_short"),
    ] {
        let (status, v) = t
            .post(
                "/v1/onboarding/start",
                json!({"payload": payload, "phone": PHONE, "password": pw}),
                None,
            )
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(code_of(&v), code);
    }
    let (_, v) = t
        .post(
            "/v1/onboarding/start",
            json!({"payload": payload, "phone": "12345", "password": PASSWORD}),
            None,
        )
        .await;
    assert_eq!(code_of(&v), "phone_invalid");
    assert_eq!(t.count("SELECT COUNT(*) FROM otp_requests"), 0);
    t.shutdown().await;
}

#[tokio::test]
async fn a_signed_in_owner_claims_another_unit_without_a_new_account() {
    let t = dev_server().await;
    let (_, imported) = t.project_with_owners(REGISTRY).await;
    let grant = t
        .onboard(&imported.units[0].onboarding_payload, PHONE)
        .await;
    let token = grant["access_token"].as_str().unwrap();
    let claimed = t
        .post_ok(
            "/v1/onboarding/claim",
            json!({"payload": imported.units[1].onboarding_payload}),
            Some(token),
        )
        .await;
    assert_eq!(claimed["person_id"], grant["person_id"]);
    assert_eq!(claimed["unit_id"], imported.units[1].unit_id.as_str());
    assert_eq!(
        t.count("SELECT COUNT(*) FROM people WHERE activated_at IS NOT NULL"),
        1
    );
    assert_eq!(t.count("SELECT COUNT(*) FROM memberships"), 2);
    let (_, v) = t
        .post(
            "/v1/onboarding/claim",
            json!({"payload": imported.units[1].onboarding_payload}),
            Some(token),
        )
        .await;
    assert_eq!(code_of(&v), "onboarding_token_used");
    let (status, _) = t
        .post(
            "/v1/onboarding/claim",
            json!({"payload": imported.units[2].onboarding_payload}),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    t.shutdown().await;
}

#[tokio::test]
async fn start_with_a_session_sends_the_code_to_the_accounts_own_phone() {
    let t = dev_server().await;
    let (_, imported) = t.project_with_owners(REGISTRY).await;
    let grant = t
        .onboard(&imported.units[0].onboarding_payload, PHONE)
        .await;
    t.age_otp_sends(61);
    let token = grant["access_token"].as_str().unwrap();
    let sent = t
        .post_ok(
            "/v1/onboarding/start",
            json!({"payload": imported.units[2].onboarding_payload}),
            Some(token),
        )
        .await;
    assert_eq!(sent["sent_to"], "+66 8••••5678");
    let code = t.admin.peek_otp(PHONE).await.unwrap().code;
    let again = t
        .post_ok(
            "/v1/onboarding/verify",
            json!({"request_id": sent["request_id"], "code": code}),
            None,
        )
        .await;
    assert_eq!(again["person_id"], grant["person_id"]);
    assert_eq!(t.count("SELECT COUNT(*) FROM memberships"), 2);
    t.shutdown().await;
}
