//! Sync under faults: a proxy between core and server cuts answers mid-response, replays
//! requests and drops connections. The replica must end identical to the server's, the
//! cursors consistent, and every pushed mutation applied exactly once.

use lobby_core::SyncState;
use lobby_e2e::fault_proxy::{Fault, FaultProxy};
use lobby_e2e::{Phone, TestServer, OWNER_PHONE};
use std::sync::atomic::Ordering;

/// Syncs until the queue is empty and a sync ends idle (bounded).
async fn sync_until_settled(phone: &Phone) -> usize {
    for attempt in 1..=200 {
        let r = phone.lobby.sync().await.expect("sync returns a report");
        if r.state == SyncState::Idle && r.pending == 0 {
            return attempt;
        }
        assert!(
            matches!(r.state, SyncState::Offline | SyncState::Idle),
            "unexpected state under faults: {:?}",
            r.state
        );
    }
    panic!("sync never settled under faults");
}

fn replica_rows(phone: &Phone, sql: &str) -> Vec<String> {
    let store = phone.store();
    let mut stmt = store.connection().prepare(sql).unwrap();
    let rows = stmt.query_map([], |r| r.get::<_, String>(0)).unwrap();
    let mut v: Vec<String> = rows.map(Result::unwrap).collect();
    v.sort();
    v
}

#[tokio::test]
async fn replica_converges_and_each_mutation_applies_exactly_once_through_cut_and_replayed_requests(
) {
    let server = TestServer::start().await;
    let units = server.import_demo_registry().await;
    let phone = Phone::new(&server.url);
    phone.onboard(&server, &units[0], OWNER_PHONE).await;
    // The owner's second unit too, so there is more than one scope to pull.
    phone
        .lobby
        .auth()
        .scan_onboarding(&units[1].onboarding_payload)
        .await
        .unwrap();
    phone
        .lobby
        .auth()
        .claim_onboarding(&units[1].onboarding_payload)
        .await
        .unwrap();

    let proxy = FaultProxy::start(
        &server.url,
        vec![
            Fault::CutResponse,
            Fault::Replay,
            Fault::Pass,
            Fault::Drop,
            Fault::Replay,
            Fault::CutResponse,
            Fault::Pass,
        ],
    )
    .await;
    phone.lobby.set_server_url(&proxy.url).unwrap();

    let person = phone.lobby.profile().get().unwrap().unwrap().person_id;
    let profile_changes = |server: &TestServer| -> i64 {
        server
            .db()
            .query_row(
                "SELECT COUNT(*) FROM changes WHERE scope = ?1 AND record LIKE '{\"profile\"%'",
                [format!("person:{person}")],
                |r| r.get(0),
            )
            .unwrap()
    };
    let profile_changes_before = profile_changes(&server);
    let before_mutations: i64 = server
        .db()
        .query_row(
            "SELECT COUNT(*) FROM mutations WHERE person_id = ?1",
            [&person],
            |r| r.get(0),
        )
        .unwrap();
    // Five rounds of three edits each; every round settles through the faults.
    let (rounds, per_round) = (5, 3);
    let edits = rounds * per_round;
    let mut syncs = 0;
    for round in 0..rounds {
        for i in 1..=per_round {
            let n = round * per_round + i;
            phone
                .lobby
                .profile()
                .set_display_name(&format!("ชื่อที่ {n}"))
                .unwrap();
        }
        syncs += sync_until_settled(&phone).await;
    }
    eprintln!("settled after {syncs} syncs; faults: {:?}", proxy.counts);
    for (kind, n) in [
        ("cut", &proxy.counts.cut),
        ("replayed", &proxy.counts.replayed),
        ("dropped", &proxy.counts.dropped),
    ] {
        assert!(
            n.load(Ordering::SeqCst) >= 2,
            "too few {kind} requests to prove anything"
        );
    }

    // Exactly once: one stored result per mutation, one profile change per mutation.
    let db = server.db();
    let applied: i64 = db
        .query_row(
            "SELECT COUNT(*) FROM mutations WHERE person_id = ?1",
            [&person],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(applied - before_mutations, edits as i64);
    // One profile change per edit — never one per delivery of a replayed request.
    assert_eq!(
        profile_changes(&server) - profile_changes_before,
        edits as i64
    );

    // Converged: the replica equals what a fresh phone pulls straight from the server.
    assert_eq!(
        phone.lobby.profile().get().unwrap().unwrap().display_name,
        format!("ชื่อที่ {edits}")
    );
    let fresh = Phone::new(&server.url);
    fresh
        .lobby
        .auth()
        .login_password(OWNER_PHONE, lobby_e2e::OWNER_PASSWORD)
        .await
        .unwrap();
    for sql in [
        "SELECT id || '|' || scope || '|' || display_name || '|' || COALESCE(email,'') FROM profile",
        "SELECT id || '|' || scope || '|' || number || '|' || ratio_micros FROM units",
        "SELECT id || '|' || scope || '|' || unit_id || '|' || role FROM memberships",
        "SELECT id || '|' || scope || '|' || name FROM projects",
        "SELECT scope || '|' || cursor FROM sync_cursors",
    ] {
        assert_eq!(replica_rows(&phone, sql), replica_rows(&fresh, sql), "{sql}");
    }
}

#[tokio::test]
async fn a_page_applied_twice_changes_nothing() {
    let server = TestServer::start().await;
    let units = server.import_demo_registry().await;
    let phone = Phone::new(&server.url);
    phone.onboard(&server, &units[0], OWNER_PHONE).await;
    // Pull everything again from cursor zero into the same replica.
    let store = phone.store();
    let before = store.units().unwrap();
    store
        .connection()
        .execute("DELETE FROM sync_cursors", [])
        .unwrap();
    drop(store);
    phone.lobby.sync().await.unwrap();
    let store = phone.store();
    assert_eq!(store.units().unwrap(), before);
}

#[tokio::test]
async fn a_new_schema_epoch_resets_the_replica_and_keeps_the_outbox() {
    let mut server = TestServer::start().await;
    let units = server.import_demo_registry().await;
    let phone = Phone::new(&server.url);
    phone.onboard(&server, &units[0], OWNER_PHONE).await;
    server.stop().await;
    phone.lobby.profile().set_display_name("ก่อนรีเซ็ต").unwrap();
    phone.lobby.sync().await.unwrap();
    server.restart().await;
    server.admin.bump_epoch().await.unwrap();
    let mut settled = false;
    for _ in 0..20 {
        let r = phone.lobby.sync().await.unwrap();
        if r.state == SyncState::Idle && r.pending == 0 {
            settled = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(settled);
    assert_eq!(phone.lobby.units().list().unwrap().len(), 1);
    assert_eq!(
        phone.lobby.profile().get().unwrap().unwrap().display_name,
        "ก่อนรีเซ็ต"
    );
}
