//! Consents at the server (DESIGN.md §2.8, issue 11), pushed raw: every check the phone
//! makes is made again here, and only platform staff bring a document into force.

mod common;

use common::*;
use lobby_model::ErrorCode;

async fn answer(t: &TestServer, token: &str, kind: &str, version: &str, given: bool) -> String {
    let body = serde_json::json!({"mutations": [{
        "id": uuid::Uuid::now_v7(),
        "created_at": chrono::Utc::now(),
        "mutation": {"consent_set": {"kind": kind, "version": version, "given": given}},
    }]});
    let out = t.post_ok("/v1/sync/push", body, Some(token)).await;
    let outcome = &out["results"][0]["outcome"];
    outcome["code"]
        .as_str()
        .or(outcome["status"].as_str())
        .unwrap_or("?")
        .to_string()
}

#[tokio::test]
async fn answers_are_checked_against_the_version_in_force_and_all_are_kept() {
    let t = dev_server().await;
    let (_, imported) = t.project_with_owners(REGISTRY).await;
    let grant = t
        .onboard(&imported.units[0].onboarding_payload, "0812345678")
        .await;
    let token = grant["access_token"].as_str().unwrap();

    assert_eq!(answer(&t, token, "terms", "1", true).await, "not_found");
    t.admin.publish_policy("terms", "1").await.unwrap();
    t.admin.publish_policy("terms", "2").await.unwrap();
    assert_eq!(answer(&t, token, "terms", "1", true).await, "conflict");
    assert_eq!(
        answer(&t, token, "cookies", "2", true).await,
        "invalid_input"
    );
    assert_eq!(
        answer(&t, token, "terms", "v 2", true).await,
        "invalid_input"
    );
    assert_eq!(answer(&t, token, "terms", "2", true).await, "applied");
    // A withdrawal may name the version agreed to earlier.
    assert_eq!(answer(&t, token, "terms", "1", false).await, "applied");
    assert_eq!(
        t.count("SELECT COUNT(*) FROM consent_events WHERE kind = 'terms'"),
        2
    );
    // The latest answer is in the person's scope; the version in force for everyone.
    assert_eq!(
        t.count("SELECT COUNT(*) FROM changes WHERE scope LIKE 'person:%' AND record LIKE '%\"consent\"%'"),
        2
    );
    assert_eq!(
        t.count("SELECT COUNT(*) FROM changes WHERE scope = 'policies:platform'"),
        2
    );
    t.shutdown().await;
}

#[tokio::test]
async fn only_platform_staff_publish_and_bad_versions_are_refused() {
    let t = dev_server().await;
    let project = t.project().await;
    let limited = lobby_server::AdminClient::new(&t.url, &add_staff(&t.db_path, Some(&project)));
    assert_eq!(
        limited
            .publish_policy("privacy", "1")
            .await
            .unwrap_err()
            .code,
        ErrorCode::Forbidden
    );
    for (kind, version) in [("privacy", ""), ("privacy", "๒๕๖๙"), ("cookies", "1")] {
        assert_eq!(
            t.admin
                .publish_policy(kind, version)
                .await
                .unwrap_err()
                .code,
            ErrorCode::InvalidInput,
            "{kind} {version}"
        );
    }
    assert!(t
        .admin
        .publish_policy("privacy", "2026-12_b.1")
        .await
        .is_ok());
    t.shutdown().await;
}
