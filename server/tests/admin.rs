//! Staff endpoints and the production (non-dev) server's OTP handling.

mod common;

use common::*;
use lobby_model::ErrorCode;
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn otp_peek_is_forbidden_without_dev_mode_even_for_staff() {
    let t = server(false, None).await;
    assert!(t.server.as_ref().unwrap().staff_token.is_none());
    let e = t.admin.peek_otp("0812345678").await.unwrap_err();
    assert_eq!(e.code, ErrorCode::Forbidden);
    let (status, v) = t
        .request("GET", "/v1/admin/otp/peek?to=0812345678", None, None)
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(code_of(&v), "forbidden");
    t.shutdown().await;
}

#[tokio::test]
async fn the_webhook_sender_posts_to_code_and_purpose() {
    let (url, inbox) = gateway().await;
    let t = server(false, Some(url)).await;
    let (_, imported) = t.project_with_owners(REGISTRY).await;
    let sent = t
        .post_ok(
            "/v1/onboarding/start",
            json!({"payload": imported.units[0].onboarding_payload, "phone": "081-234-5678", "password": PASSWORD}),
            None,
        )
        .await;
    let got = wait_for(&inbox, 1).await;
    assert_eq!(got.len(), 1);
    assert_eq!(got[0]["to"], "+66812345678");
    assert_eq!(got[0]["purpose"], "onboarding");
    let code = got[0]["code"].as_str().unwrap();
    assert_eq!(code.len(), 6);
    t.post_ok(
        "/v1/onboarding/verify",
        json!({"request_id": sent["request_id"], "code": code}),
        None,
    )
    .await;
    t.shutdown().await;
}

#[tokio::test]
async fn a_production_server_limits_otp_sends_per_client_address_loosely_enough_for_a_shared_address(
) {
    // Residents behind one carrier-NAT address: 60 different people in a row are all
    // served (the old rule, one per minute per address, refused the second); the 61st
    // send of the hour from the address is refused.
    let (url, inbox) = gateway().await;
    let t = server(false, Some(url)).await;
    let per_hour = lobby_model::domain::otp::ADDRESS_LIMITS.per_hour;
    for i in 0..per_hour {
        t.post_ok("/v1/auth/otp", json!({"to": format!("08110{i:05}")}), None)
            .await;
    }
    let (status, v) = t
        .post("/v1/auth/otp", json!({"to": "0822222222"}), None)
        .await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(code_of(&v), "rate_limited");
    // None of the destinations has an account: nothing was delivered.
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    assert!(inbox.lock().unwrap().is_empty());
    t.shutdown().await;
}

#[tokio::test]
async fn bumping_the_epoch_needs_an_unlimited_staff_credential() {
    let t = dev_server().await;
    let project = t.project().await;
    let limited = lobby_server::AdminClient::new(&t.url, &add_staff(&t.db_path, Some(&project)));
    assert_eq!(
        limited.bump_epoch().await.unwrap_err().code,
        ErrorCode::Forbidden
    );
    assert_eq!(t.admin.bump_epoch().await.unwrap().epoch, 2);
    assert_eq!(t.admin.bump_epoch().await.unwrap().epoch, 3);
    t.shutdown().await;
}

#[tokio::test]
async fn a_project_limited_staff_credential_cannot_peek_codes_even_on_a_dev_server() {
    // Issue 7: a staff token limited to one project could read the OTP of any phone.
    let t = dev_server().await;
    let project = t.project().await;
    t.post_ok("/v1/auth/otp", json!({"to": "0812345678"}), None)
        .await;
    let limited = lobby_server::AdminClient::new(&t.url, &add_staff(&t.db_path, Some(&project)));
    assert_eq!(
        limited.peek_otp("0812345678").await.unwrap_err().code,
        ErrorCode::Forbidden
    );
    // The unlimited dev credential gets past the check (no code went to an unknown phone).
    assert_eq!(
        t.admin.peek_otp("0812345678").await.unwrap_err().code,
        ErrorCode::NotFound
    );
    t.shutdown().await;
}

#[tokio::test]
async fn a_wrong_or_revoked_staff_token_is_unauthorized() {
    let t = dev_server().await;
    let bad = lobby_server::AdminClient::new(&t.url, "not-a-token");
    assert_eq!(
        bad.create_project("x", lobby_model::protocol::ProjectKind::Condominium)
            .await
            .unwrap_err()
            .code,
        ErrorCode::Unauthorized
    );
    // A person's session token is not a staff token.
    let (status, _) = t.post("/v1/admin/sync/epoch", json!({}), Some("x")).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    t.shutdown().await;
}

#[tokio::test]
async fn reissue_for_an_unknown_unit_is_not_found() {
    let t = dev_server().await;
    assert_eq!(
        t.admin.reissue_onboarding("nope").await.unwrap_err().code,
        ErrorCode::NotFound
    );
    t.shutdown().await;
}

#[tokio::test]
async fn project_and_owner_names_with_direction_overrides_or_nothing_visible_are_refused() {
    use lobby_model::protocol::ProjectKind;
    let t = dev_server().await;
    for name in [
        "\u{202E}eciffO citsiruJ",
        "\u{200B}\u{FEFF}",
        "อาคาร\u{2066}ชุด",
    ] {
        let e = t
            .admin
            .create_project(name, ProjectKind::Condominium)
            .await
            .unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidInput, "{name:?}");
    }
    let project = t.project().await;
    for name in ["\u{202E}eciffO citsiruJ", "\u{200B}\u{200D}"] {
        let csv = format!("unit,owner_name,ownership_ratio,phone,email\n1,{name},1,,\n");
        let e = t
            .admin
            .import_owners(&project, csv.into_bytes())
            .await
            .unwrap_err();
        assert_eq!(e.code, ErrorCode::RegistryInvalid, "{name:?}");
    }
    t.shutdown().await;
}

#[tokio::test]
async fn reissue_answers_another_projects_unit_exactly_as_an_unknown_unit() {
    let t = dev_server().await;
    let (_, theirs) = t.project_with_owners(REGISTRY).await;
    let mine = t.project().await;
    let limited = add_staff(&t.db_path, Some(&mine));
    let reissue = |unit: String| {
        let t = &t;
        let limited = limited.clone();
        async move {
            t.post(
                &format!("/v1/admin/units/{unit}/onboarding/reissue"),
                json!({}),
                Some(&limited),
            )
            .await
        }
    };
    let unknown = reissue(uuid::Uuid::now_v7().to_string()).await;
    let other_project = reissue(theirs.units[0].unit_id.clone()).await;
    assert_eq!(unknown.0, StatusCode::NOT_FOUND);
    assert_eq!(code_of(&unknown.1), "not_found");
    assert_eq!(other_project, unknown, "the answers tell the units apart");
    // The unit's token was not replaced: the owner's QR still works.
    let (status, _) = t
        .post(
            "/v1/onboarding/preview",
            json!({"payload": theirs.units[0].onboarding_payload}),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    t.shutdown().await;
}

#[tokio::test]
async fn an_unknown_path_answers_not_found_in_the_api_error_shape() {
    let t = dev_server().await;
    let (status, v) = t.request("GET", "/v1/nothing-here", None, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(code_of(&v), "not_found");
    t.shutdown().await;
}

#[tokio::test]
async fn an_unreachable_server_is_offline_for_the_admin_client() {
    let admin = lobby_server::AdminClient::new("http://127.0.0.1:9", "t");
    assert_eq!(
        admin.bump_epoch().await.unwrap_err().code,
        ErrorCode::Offline
    );
}

#[tokio::test]
async fn arrears_are_recorded_for_a_unit_and_reach_its_phones_but_not_another_projects_staff() {
    let t = dev_server().await;
    let (_, imported) = t.project_with_owners(REGISTRY).await;
    let grant = t
        .onboard(&imported.units[0].onboarding_payload, "081-234-5678")
        .await;
    let unit = &imported.units[0].unit_id;
    t.admin.set_arrears(unit, 7).await.expect("recorded");
    assert_eq!(
        t.count(&format!(
            "SELECT arrears_months FROM units WHERE id = '{unit}'"
        )),
        7
    );
    let page: lobby_model::protocol::PullResponse = serde_json::from_value(
        t.post_ok(
            "/v1/sync/pull",
            serde_json::json!({}),
            grant["access_token"].as_str(),
        )
        .await,
    )
    .unwrap();
    let arrears: Vec<u32> = page
        .changes
        .iter()
        .filter_map(|c| match &c.record {
            lobby_model::protocol::Record::Unit(u) if &u.id == unit => Some(u.arrears_months),
            _ => None,
        })
        .collect();
    assert_eq!(arrears.last(), Some(&7), "{arrears:?}");
    // Out of range, another project's staff, an unknown unit.
    assert_eq!(
        t.admin.set_arrears(unit, 1201).await.unwrap_err().code,
        ErrorCode::InvalidInput
    );
    let other_project = t.project().await;
    let limited =
        lobby_server::AdminClient::new(&t.url, &add_staff(&t.db_path, Some(&other_project)));
    let theirs = limited.set_arrears(unit, 0).await.unwrap_err();
    let unknown = limited
        .set_arrears("01900000-0000-7000-8000-000000000000", 0)
        .await
        .unwrap_err();
    assert_eq!(theirs.code, ErrorCode::NotFound);
    assert_eq!(
        (theirs.code, theirs.message),
        (unknown.code, unknown.message)
    );
    assert_eq!(
        t.count(&format!(
            "SELECT arrears_months FROM units WHERE id = '{unit}'"
        )),
        7
    );
    t.shutdown().await;
}
