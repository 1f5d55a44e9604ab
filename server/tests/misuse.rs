//! "Someone else used my account" (issue 11: log out everywhere, and report misuse):
//! `POST /v1/auth/logout` with `everywhere` and `report_misuse` ends every sign-in and
//! files a misuse report the office must look into within 72 hours, in one unit of
//! work. A real server over HTTP.

mod common;

use common::*;
use lobby_model::ErrorCode;
use reqwest::StatusCode;
use serde_json::{json, Value};

fn token(grant: &Value) -> &str {
    grant["access_token"].as_str().expect("an access token")
}

async fn password(t: &TestServer, to: &str) -> Value {
    t.post_ok(
        "/v1/auth/password",
        json!({"to": to, "password": PASSWORD}),
        None,
    )
    .await
}

#[tokio::test]
async fn a_misuse_report_ends_every_sign_in_and_reaches_the_office_first() {
    let t = dev_server().await;
    let (project, imported) = t.project_with_owners(REGISTRY).await;
    let phone = t
        .onboard(&imported.units[0].onboarding_payload, "0812345678")
        .await;
    let intruder = password(&t, "0812345678").await;
    // An objection filed earlier is due in 30 days; the misuse report in 72 hours.
    let push = json!({"mutations": [{
        "id": uuid::Uuid::now_v7(),
        "created_at": chrono::Utc::now(),
        "mutation": {"privacy_request_file": {"request_id": uuid::Uuid::now_v7(), "kind": "objection", "detail": null}},
    }]});
    t.post_ok("/v1/sync/push", push, Some(token(&phone))).await;

    let detail = "มีคนเข้าบัญชีจากเครื่องที่ไม่รู้จัก เมื่อคืนนี้";
    let answer = t
        .post_ok(
            "/v1/auth/logout",
            json!({"everywhere": true, "report_misuse": true, "detail": detail}),
            Some(token(&phone)),
        )
        .await;
    let report = &answer["misuse_report"];
    let request_id = report["request_id"].as_str().expect("a request id");

    // Every sign-in is over: the intruder's and the reporter's, refresh tokens too.
    for grant in [&phone, &intruder] {
        let (status, _) = t
            .request("GET", "/v1/me/sessions", None, Some(token(grant)))
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
    }

    // The office sees it first, due in 72 hours, in the person's words.
    let list = t.admin.privacy_requests(&project).await.unwrap().requests;
    assert_eq!(list.len(), 2);
    let first = &list[0];
    assert_eq!(first.request_id, request_id);
    assert_eq!(first.kind, "misuse");
    assert_eq!(first.detail.as_deref(), Some(detail));
    assert_eq!(first.deadline - first.filed_at, chrono::Duration::hours(72));

    // Signed in again, the person's phone pulls the report and, later, the answer.
    t.admin
        .decide_privacy_request(request_id, true, None)
        .await
        .unwrap();
    let again = password(&t, "0812345678").await;
    let page = t
        .post_ok("/v1/sync/pull", json!({}), Some(token(&again)))
        .await;
    let statuses: Vec<&str> = page["changes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["record"]["privacy_request"]["id"] == request_id)
        .filter_map(|c| c["record"]["privacy_request"]["status"].as_str())
        .collect();
    assert_eq!(statuses.last(), Some(&"approved"));
    t.shutdown().await;
}

#[tokio::test]
async fn a_misuse_report_needs_everywhere_and_a_readable_detail_and_is_not_a_queued_request() {
    let t = dev_server().await;
    let (project, imported) = t.project_with_owners(REGISTRY).await;
    let phone = t
        .onboard(&imported.units[0].onboarding_payload, "0812345678")
        .await;
    for body in [
        json!({"report_misuse": true}),
        json!({"everywhere": false, "report_misuse": true}),
        json!({"everywhere": true, "detail": "ไม่ได้รายงาน"}),
        json!({"everywhere": true, "report_misuse": true, "detail": "ปลอม\u{202E}"}),
        json!({"everywhere": true, "report_misuse": true, "detail": "ก".repeat(2_001)}),
        json!({"everywhere": true, "report_misuse": "yes"}),
    ] {
        let (status, v) = t
            .post("/v1/auth/logout", body.clone(), Some(token(&phone)))
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}: {v}");
        assert_eq!(code_of(&v), "invalid_input", "{body}");
    }
    // Refused requests changed nothing: still signed in, nothing filed.
    let (status, _) = t
        .request("GET", "/v1/me/sessions", None, Some(token(&phone)))
        .await;
    assert_eq!(status, StatusCode::OK);
    // Filing "misuse" as a queued request would report without locking anyone out.
    let push = json!({"mutations": [{
        "id": uuid::Uuid::now_v7(),
        "created_at": chrono::Utc::now(),
        "mutation": {"privacy_request_file": {"request_id": uuid::Uuid::now_v7(), "kind": "misuse", "detail": null}},
    }]});
    let out = t.post_ok("/v1/sync/push", push, Some(token(&phone))).await;
    assert_eq!(
        out["results"][0]["outcome"]["code"], "invalid_input",
        "{out}"
    );
    assert!(t
        .admin
        .privacy_requests(&project)
        .await
        .unwrap()
        .requests
        .is_empty());
    // Without a session nobody's account is touched.
    let (status, v) = t
        .post(
            "/v1/auth/logout",
            json!({"everywhere": true, "report_misuse": true}),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{v}");
    assert_eq!(code_of(&v), ErrorCode::Unauthorized.as_str());
    t.shutdown().await;
}
