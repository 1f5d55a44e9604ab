//! The server answers what its OpenAPI description says (issue 7; schemathesis runs the
//! same checks in `scripts/schemathesis.sh`): numbers beyond their declared format and
//! the sequence form of a mutation are refused, and lengths are counted as the
//! description counts them (characters, before trimming).

mod common;

use common::*;
use reqwest::StatusCode;
use serde_json::json;

async fn signed_in() -> (TestServer, String, Vec<String>) {
    let t = dev_server().await;
    let (_, imported) = t.project_with_owners(REGISTRY).await;
    let grant = t
        .onboard(&imported.units[0].onboarding_payload, "081-234-5678")
        .await;
    let units = imported.units.iter().map(|u| u.unit_id.clone()).collect();
    (
        t,
        grant["access_token"].as_str().unwrap().to_string(),
        units,
    )
}

#[tokio::test]
async fn a_pull_limit_or_epoch_beyond_int32_is_refused() {
    let (t, token, _) = signed_in().await;
    for body in [
        json!({"limit": 2_147_483_648_u64}),
        json!({"limit": 4_294_967_295_u64}),
        json!({"epoch": 2_147_483_648_u64}),
    ] {
        let (status, v) = t.post("/v1/sync/pull", body.clone(), Some(&token)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}: {v}");
        assert_eq!(code_of(&v), "invalid_input", "{body}");
    }
    t.post_ok(
        "/v1/sync/pull",
        json!({"limit": 2_147_483_647_u64}),
        Some(&token),
    )
    .await;
    t.shutdown().await;
}

#[tokio::test]
async fn integral_json_numbers_are_integers() {
    let (t, token, units) = signed_in().await;
    let scope = format!("unit:{}", units[0]);
    t.post_ok(
        "/v1/sync/pull",
        json!({"epoch": 1.0, "limit": 3.0, "cursors": {scope.clone(): 0.0}}),
        Some(&token),
    )
    .await;
    let (status, v) = t
        .post(
            "/v1/sync/pull",
            json!({"cursors": {scope: 0.5}}),
            Some(&token),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{v}");
    t.shutdown().await;
}

#[tokio::test]
async fn a_mutation_in_sequence_form_is_refused() {
    let (t, token, _) = signed_in().await;
    let push = |mutation: serde_json::Value| {
        json!({"mutations": [{
            "id": uuid::Uuid::now_v7(),
            "created_at": "2026-01-01T00:00:00Z",
            "mutation": mutation,
        }]})
    };
    for m in [
        json!({"profile_update": [null, null]}),
        json!({"profile_update": ["Somchai", null]}),
        json!({"member_remove": ["m-1"]}),
        json!({"profile_update": {}, "member_remove": {"membership_id": "m-1"}}),
    ] {
        let (status, v) = t.post("/v1/sync/push", push(m.clone()), Some(&token)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{m}: {v}");
        assert_eq!(code_of(&v), "invalid_input", "{m}");
    }
    assert_eq!(t.count("SELECT COUNT(*) FROM mutations"), 0);
    let v = t
        .post_ok(
            "/v1/sync/push",
            push(json!({"profile_update": {"display_name": "Somchai"}})),
            Some(&token),
        )
        .await;
    assert_eq!(v["results"][0]["outcome"]["status"], "applied", "{v}");
    t.shutdown().await;
}

#[tokio::test]
async fn a_project_name_is_counted_in_characters_before_trimming() {
    let t = dev_server().await;
    let create = |name: String| json!({"name": name, "kind": "condominium"});
    // 200 Thai characters (600 bytes): within the description's maxLength.
    t.post_ok(
        "/v1/admin/projects",
        create("ก".repeat(200)),
        Some(&t.staff_token),
    )
    .await;
    // 201 characters, one of them a space that trimming would drop: beyond it.
    for name in [format!(" {}", "a".repeat(200)), "a".repeat(201)] {
        let (status, v) = t
            .post("/v1/admin/projects", create(name), Some(&t.staff_token))
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{v}");
        assert_eq!(code_of(&v), "invalid_input");
    }
    t.shutdown().await;
}

#[tokio::test]
async fn a_unit_id_is_bounded_in_characters() {
    let t = dev_server().await;
    let reissue = |id: String| format!("/v1/admin/units/{id}/onboarding/reissue");
    // 64 Thai characters: within maxLength, so an unknown unit, not a malformed request.
    let (status, v) = t
        .post(&reissue("ก".repeat(64)), json!({}), Some(&t.staff_token))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{v}");
    let (status, v) = t
        .post(&reissue("a".repeat(65)), json!({}), Some(&t.staff_token))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{v}");
    assert_eq!(code_of(&v), "invalid_input");
    t.shutdown().await;
}

#[tokio::test]
async fn a_body_in_array_form_is_refused() {
    let (t, token, _) = signed_in().await;
    // A derived struct takes the sequence of its fields' values; the description says
    // every body is an object.
    for (path, body, bearer) in [
        ("/v1/sync/pull", json!([]), Some(token.as_str())),
        (
            "/v1/sync/pull",
            json!([null, {}, null]),
            Some(token.as_str()),
        ),
        (
            "/v1/admin/projects",
            json!(["Array Towers", "condominium"]),
            Some(t.staff_token.as_str()),
        ),
        ("/v1/auth/refresh", json!(["x"]), None),
        (
            "/v1/sync/push",
            json!({"mutations": [[uuid::Uuid::now_v7(), "2026-01-01T00:00:00Z", {"profile_update": {}}]]}),
            Some(token.as_str()),
        ),
        ("/v1/auth/logout", json!([true]), Some(token.as_str())),
    ] {
        let (status, v) = t.post(path, body.clone(), bearer).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{path} {body}: {v}");
        assert_eq!(code_of(&v), "invalid_input", "{path} {body}");
    }
    assert_eq!(
        t.count("SELECT COUNT(*) FROM projects WHERE name = 'Array Towers'"),
        0
    );
    // Logout's body may be absent or `null` (both mean `{}`).
    t.post_ok("/v1/auth/logout", serde_json::Value::Null, Some(&token))
        .await;
    t.shutdown().await;
}
