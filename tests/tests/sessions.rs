//! Sessions on a flaky network (issue 7): a refresh whose answer never reached the phone
//! must not sign it out, and what it queued must still reach the server.

use lobby_core::secrets::{keys, SecretStore};
use lobby_core::SyncState;
use lobby_e2e::{Phone, TestServer, OWNER_PHONE};

#[tokio::test]
async fn a_lost_refresh_answer_does_not_sign_the_phone_out_or_lose_a_queued_change() {
    let server = TestServer::start().await;
    let units = server.import_demo_registry().await;
    let phone = Phone::new(&server.url);
    phone.onboard(&server, &units[0], OWNER_PHONE).await;
    phone
        .lobby
        .profile()
        .set_display_name("คุณสมชาย ลิฟต์")
        .expect("queued");

    // The phone refreshes; the server rotates; the answer is lost (the lift doors close).
    let refresh = phone
        .secrets
        .get(keys::REFRESH_TOKEN)
        .expect("secrets")
        .expect("a refresh token");
    let lost = reqwest::Client::new()
        .post(format!("{}/v1/auth/refresh", server.url))
        .json(&serde_json::json!({ "refresh_token": refresh }))
        .send()
        .await
        .expect("refresh answered");
    assert!(lost.status().is_success());
    drop(lost);

    // The phone's access token died with the rotation; it refreshes again with the token
    // it still holds, and carries on.
    let report = phone.lobby.sync().await.expect("sync");
    assert_eq!(report.state, SyncState::Idle, "{report:?}");
    assert_eq!(report.pending, 0);
    assert!(phone.lobby.auth().is_signed_in());
    assert_ne!(
        phone.secrets.get(keys::REFRESH_TOKEN).unwrap().as_deref(),
        Some(refresh.as_str()),
        "the phone holds the new pair"
    );
    let name: String = server
        .db()
        .query_row(
            "SELECT display_name FROM people WHERE display_name = 'คุณสมชาย ลิฟต์'",
            [],
            |r| r.get(0),
        )
        .expect("the queued change was applied");
    assert_eq!(name, "คุณสมชาย ลิฟต์");
}
