//! Shutting the core down: `Lobby::close` while work is in flight, and dropping without
//! closing, from the places an app does it. None of these may panic, hang, or leave a
//! thread of the core running (the crash at exit that `close` exists to prevent).
//!
//! Hangs are caught with a generous guard (a minute), never a timing assertion.

use std::time::Duration;

use lobby_core::ErrorCode;
use lobby_e2e::{Phone, TestServer, OWNER_PHONE};

/// How long a close may take before the test calls it a hang.
const HANG: Duration = Duration::from_secs(60);

/// A server that accepts connections and never answers: a sync against it is "in
/// flight" until its request times out.
async fn silent_server() -> (String, tokio::task::JoinHandle<()>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let task = tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((conn, _)) = listener.accept().await {
            held.push(conn);
        }
    });
    (url, task)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn closing_while_a_sync_waits_on_the_network_ends_the_sync_with_closed() {
    let server = TestServer::start().await;
    let units = server.import_demo_registry().await;
    let phone = Phone::new(&server.url);
    phone.onboard(&server, &units[0], OWNER_PHONE).await;
    let (silent, _silent_task) = silent_server().await;
    phone.lobby.set_server_url(&silent).unwrap();
    phone.lobby.start_background_sync().unwrap();

    let syncing = phone.lobby.clone();
    let sync = tokio::spawn(async move { syncing.sync().await });
    // Let the request reach the silent server.
    while !matches!(phone.lobby.status().state, lobby_core::SyncState::Syncing) {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let closing = phone.lobby.clone();
    tokio::time::timeout(HANG, tokio::task::spawn_blocking(move || closing.close()))
        .await
        .expect("close returned")
        .unwrap();

    let ended = tokio::time::timeout(HANG, sync)
        .await
        .expect("the sync ended")
        .unwrap();
    assert_eq!(ended.err().map(|e| e.code), Some(ErrorCode::Closed));
    assert!(phone.lobby.is_closed());
    assert_eq!(
        phone.lobby.units().list().err().map(|e| e.code),
        Some(ErrorCode::Closed)
    );
    assert_eq!(
        phone.lobby.sync().await.err().map(|e| e.code),
        Some(ErrorCode::Closed)
    );
    phone.lobby.close(); // twice is harmless
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn closing_in_the_middle_of_pulling_pages_leaves_a_database_that_reopens() {
    let server = TestServer::start().await;
    let units = server.import_demo_registry().await;
    let mut phone = Phone::new(&server.url);
    phone.onboard(&server, &units[0], OWNER_PHONE).await;
    for round in 0..20 {
        // Forget the cursors so every sync pulls (and applies) from the beginning.
        phone
            .store()
            .connection()
            .execute("DELETE FROM sync_cursors", [])
            .unwrap();
        let syncing = phone.lobby.clone();
        let sync = tokio::spawn(async move { syncing.sync().await });
        tokio::time::sleep(Duration::from_millis(round)).await;
        let closing = phone.lobby.clone();
        tokio::time::timeout(HANG, tokio::task::spawn_blocking(move || closing.close()))
            .await
            .expect("close returned")
            .unwrap();
        let ended = tokio::time::timeout(HANG, sync)
            .await
            .expect("sync ended")
            .unwrap();
        if let Err(e) = ended {
            assert_eq!(e.code, ErrorCode::Closed, "round {round}: {e}");
        }
        phone.reopen(&server.url);
        assert_eq!(
            phone.lobby.units().list().unwrap().len(),
            1,
            "round {round}: the replica reopens whole"
        );
    }
}

#[tokio::test]
async fn dropping_an_open_core_inside_an_async_context_does_not_panic() {
    let server = TestServer::start().await;
    let phone = Phone::new(&server.url);
    phone.lobby.start_background_sync().unwrap();
    // The last reference goes away on this runtime's thread, without close.
    drop(phone);
}

/// `close` returns only once the work on the core's threads has finished: a blocking task
/// still running when close is called has completed when it returns (a close that only
/// signalled the threads would return while it still ran).
#[test]
fn close_returns_only_after_the_cores_threads_have_finished_their_work() {
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::Arc;

    for from_async in [false, true] {
        let phone = Phone::new("http://127.0.0.1:9");
        let started = Arc::new(AtomicBool::new(false));
        let finished = Arc::new(AtomicBool::new(false));
        let (s, f) = (started.clone(), finished.clone());
        phone
            .lobby
            .spawn_detached(async move {
                // Detached: close must wait for it all the same.
                drop(tokio::task::spawn_blocking(move || {
                    s.store(true, Ordering::SeqCst);
                    std::thread::sleep(Duration::from_millis(300));
                    f.store(true, Ordering::SeqCst);
                }));
            })
            .expect("the core runs");
        while !started.load(Ordering::SeqCst) {
            std::thread::sleep(Duration::from_millis(1));
        }
        if from_async {
            let rt = tokio::runtime::Builder::new_current_thread()
                .build()
                .unwrap();
            rt.block_on(async { phone.lobby.close() });
        } else {
            phone.lobby.close();
        }
        assert!(
            finished.load(Ordering::SeqCst),
            "close returned while a core thread was still working (from async: {from_async})"
        );
    }
}
