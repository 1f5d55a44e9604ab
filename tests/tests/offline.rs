//! The phone with no network: reads from the replica, changes wait, nothing is lost.

use lobby_core::{ErrorCode, SyncState};
use lobby_e2e::{Phone, TestServer, OWNER_PHONE};

#[tokio::test]
async fn with_the_server_gone_units_and_status_answer_and_sync_says_offline_then_recovers() {
    let mut server = TestServer::start().await;
    let units = server.import_demo_registry().await;
    let mut phone = Phone::new(&server.url);
    phone.onboard(&server, &units[0], OWNER_PHONE).await;

    server.stop().await;
    assert_eq!(phone.lobby.units().list().unwrap().len(), 1);
    phone
        .lobby
        .profile()
        .set_display_name("สมชาย (ออฟไลน์)")
        .unwrap();
    let report = phone.lobby.sync().await.unwrap();
    assert_eq!(report.state, SyncState::Offline);
    assert_eq!(report.pending, 1);
    assert_eq!(phone.lobby.status().state, SyncState::Offline);
    // The optimistic edit shows at once.
    assert_eq!(
        phone.lobby.profile().get().unwrap().unwrap().display_name,
        "สมชาย (ออฟไลน์)"
    );

    // The app is killed and restarted while offline: the queue is still there.
    phone.reopen(&server.url);
    assert_eq!(phone.lobby.status().pending, 1);
    assert_eq!(phone.lobby.units().list().unwrap().len(), 1);

    server.restart().await;
    // The retry was scheduled with backoff; an explicit sync goes now.
    let mut report = phone.lobby.sync().await.unwrap();
    for _ in 0..20 {
        if report.pending == 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        report = phone.lobby.sync().await.unwrap();
    }
    assert_eq!(report.state, SyncState::Idle);
    assert_eq!(report.pending, 0);
    let p = phone.lobby.profile().get().unwrap().unwrap();
    assert_eq!(p.display_name, "สมชาย (ออฟไลน์)");
    assert_eq!(p.pending_edits, 0);
}

#[tokio::test]
async fn a_change_the_server_refuses_is_rolled_back_and_reported() {
    let server = TestServer::start().await;
    let units = server.import_demo_registry().await;
    let phone = Phone::new(&server.url);
    phone.onboard(&server, &units[0], OWNER_PHONE).await;
    let before = phone.lobby.profile().get().unwrap().unwrap().display_name;
    // The phone itself refuses a name this long, so queue it below the phone's checks —
    // as an older app version with a looser rule might have — for the server to refuse.
    let person = phone.lobby.profile().get().unwrap().unwrap().person_id;
    {
        let mut store = phone.store();
        store
            .enqueue(
                &person,
                lobby_core::protocol::Mutation::ProfileUpdate {
                    display_name: Some("x".repeat(500)),
                    email: None,
                },
                chrono::Utc::now(),
            )
            .unwrap();
    }
    let report = phone.lobby.sync().await.unwrap();
    assert_eq!(report.rejected, 1);
    assert_eq!(report.pending, 0);
    assert_eq!(
        phone.lobby.profile().get().unwrap().unwrap().display_name,
        before
    );
    let refused = phone.lobby.outbox().unwrap();
    assert_eq!(refused.len(), 1);
    assert_eq!(
        refused[0].reject_code.as_deref(),
        Some(ErrorCode::InvalidInput.as_str())
    );
}

#[tokio::test]
async fn background_sync_retries_queued_changes_on_a_timer_without_a_new_write() {
    let mut server = TestServer::start().await;
    let units = server.import_demo_registry().await;
    let phone = Phone::new(&server.url);
    phone.onboard(&server, &units[0], OWNER_PHONE).await;
    server.stop().await;
    phone.lobby.profile().set_display_name("รอส่ง").unwrap();
    phone.lobby.sync().await.unwrap();
    assert_eq!(phone.lobby.status().pending, 1);
    server.restart().await;
    phone.lobby.start_background_sync().unwrap();
    let mut rx = phone.lobby.watch_status();
    let drained = tokio::time::timeout(std::time::Duration::from_secs(30), async {
        loop {
            if rx.borrow_and_update().pending == 0 {
                return;
            }
            if rx.changed().await.is_err() {
                return;
            }
        }
    })
    .await;
    assert!(
        drained.is_ok(),
        "the queued change was not retried by the timer"
    );
    assert_eq!(phone.lobby.status().pending, 0);
}
