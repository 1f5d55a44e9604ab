//! The login e-mail changes only through a code sent to the new address (issue 7, hole
//! 2): a tenant once took an owner's registry address by a plain profile edit, and an
//! OTP to that address then signed into the tenant's account.

mod common;

use common::*;
use reqwest::StatusCode;
use serde_json::{json, Value};
use uuid::Uuid;

const SOMCHAI: &str = "somchai@example.com";

fn profile_update(email: &str) -> Value {
    json!({"mutations": [{
        "id": Uuid::now_v7(),
        "created_at": chrono::Utc::now(),
        "mutation": {"profile_update": {"display_name": null, "email": email}},
    }]})
}

fn token(grant: &Value) -> &str {
    grant["access_token"].as_str().unwrap()
}

#[tokio::test]
async fn another_account_cannot_take_an_owners_registry_email() {
    let t = dev_server().await;
    let (_, imported) = t.project_with_owners(REGISTRY).await;
    // Jane (owner of B-1203) is signed in before Somchai has onboarded.
    let jane = t
        .onboard(&imported.units[2].onboarding_payload, "0899999999")
        .await;
    // The attack of issue 7: a plain profile edit with Somchai's address.
    let pushed = t
        .post_ok("/v1/sync/push", profile_update(SOMCHAI), Some(token(&jane)))
        .await;
    let outcome = &pushed["results"][0]["outcome"];
    assert_eq!(outcome["status"], "rejected", "{outcome}");
    assert_eq!(outcome["code"], "verification_required");
    // Asking for a code goes to Somchai's mailbox, which Jane cannot read: a guess fails.
    let sent = t
        .post_ok(
            "/v1/me/email",
            json!({"email": SOMCHAI}),
            Some(token(&jane)),
        )
        .await;
    let real = t.admin.peek_otp(SOMCHAI).await.unwrap().code;
    let wrong = if real == "000000" { "111111" } else { "000000" };
    let (_, v) = t
        .post(
            "/v1/me/email/verify",
            json!({"request_id": sent["request_id"], "code": wrong}),
            Some(token(&jane)),
        )
        .await;
    assert_eq!(code_of(&v), "otp_invalid");

    // Somchai onboards; his address is his, and an OTP to it signs into his account.
    let somchai = t
        .onboard(&imported.units[0].onboarding_payload, "081-234-5678")
        .await;
    t.age_otp_sends(61);
    let signed_in = t.sign_in_by_otp(SOMCHAI).await;
    assert_eq!(signed_in["person_id"], somchai["person_id"]);
    assert_eq!(
        t.count(&format!(
            "SELECT COUNT(*) FROM people WHERE email = '{SOMCHAI}' AND activated_at IS NOT NULL"
        )),
        1
    );
    t.shutdown().await;
}

#[tokio::test]
async fn a_verified_new_email_replaces_the_old_which_is_told() {
    let (url, inbox) = gateway().await;
    let t = server(true, Some(url)).await;
    let (_, imported) = t.project_with_owners(REGISTRY).await;
    let somchai = t
        .onboard(&imported.units[0].onboarding_payload, "081-234-5678")
        .await;
    let sent = t
        .post_ok(
            "/v1/me/email",
            json!({"email": " Somchai.New@Example.com "}),
            Some(token(&somchai)),
        )
        .await;
    assert_eq!(
        sent["sent_to"].as_str().map(|s| s.contains('@')),
        Some(true)
    );
    let code = t
        .admin
        .peek_otp("somchai.new@example.com")
        .await
        .unwrap()
        .code;
    t.post_ok(
        "/v1/me/email/verify",
        json!({"request_id": sent["request_id"], "code": code}),
        Some(token(&somchai)),
    )
    .await;
    // The profile pulled by the phone carries the new address.
    let page = t
        .post_ok("/v1/sync/pull", json!({}), Some(token(&somchai)))
        .await;
    let emails: Vec<&Value> = page["changes"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| c["record"]["profile"].get("email"))
        .collect();
    assert_eq!(
        emails.last().and_then(|e| e.as_str()),
        Some("somchai.new@example.com")
    );
    // The old address was told, without a code.
    let got = wait_for(&inbox, 3).await;
    let notice = got
        .iter()
        .find(|m| m.get("notice").is_some())
        .expect("a notice to the old address");
    assert_eq!(notice["to"], SOMCHAI);
    assert_eq!(notice["notice"], "email_changed");
    assert!(notice.get("code").is_none());
    // The code was single use.
    let (_, v) = t
        .post(
            "/v1/me/email/verify",
            json!({"request_id": sent["request_id"], "code": code}),
            Some(token(&somchai)),
        )
        .await;
    assert_eq!(code_of(&v), "no_pending_otp");
    t.shutdown().await;
}

#[tokio::test]
async fn an_address_another_account_holds_is_refused_even_with_its_code() {
    let t = dev_server().await;
    let (_, imported) = t.project_with_owners(REGISTRY).await;
    t.onboard(&imported.units[0].onboarding_payload, "081-234-5678")
        .await;
    let jane = t
        .onboard(&imported.units[2].onboarding_payload, "0899999999")
        .await;
    t.age_otp_sends(61);
    let sent = t
        .post_ok(
            "/v1/me/email",
            json!({"email": SOMCHAI}),
            Some(token(&jane)),
        )
        .await;
    // Even someone who reads the mailbox cannot make a second account of it.
    let code = t.admin.peek_otp(SOMCHAI).await.unwrap().code;
    let (status, v) = t
        .post(
            "/v1/me/email/verify",
            json!({"request_id": sent["request_id"], "code": code}),
            Some(token(&jane)),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{v}");
    // Another person's request id is unknown to this session.
    let (_, v) = t
        .post(
            "/v1/me/email/verify",
            json!({"request_id": sent["request_id"], "code": "123456"}),
            None,
        )
        .await;
    assert_eq!(code_of(&v), "unauthorized");
    t.shutdown().await;
}
