//! Parcels reach the phone (issue 8, first step): staff log one for the owner's unit, the
//! phone's next sync keeps it in its encrypted replica, Thai text intact.

use lobby_core::protocol::admin::ParcelAdd;
use lobby_core::{ParcelFilter, ParcelStatus};
use lobby_e2e::{Phone, TestServer, OWNER_PHONE};

#[tokio::test]
async fn a_parcel_staff_log_is_in_the_phones_replica_after_sync() {
    let server = TestServer::start().await;
    let units = server.import_demo_registry().await;
    let phone = Phone::new(&server.url);
    phone.onboard(&server, &units[0], OWNER_PHONE).await;
    let added = server
        .admin
        .add_parcel(&ParcelAdd {
            unit_id: units[0].unit_id.clone(),
            recipient: "คุณสมชาย ใจดี".into(),
            carrier: "ไปรษณีย์ไทย".into(),
            tracking: Some("EX123456789TH".into()),
        })
        .await
        .expect("logged");
    phone.lobby.sync().await.expect("sync");
    let (id, recipient, carrier, status): (String, String, String, String) = phone
        .store()
        .connection()
        .query_row(
            "SELECT id, recipient, carrier, status FROM parcels",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .expect("one parcel");
    assert_eq!(id, added.parcel_id);
    assert_eq!(recipient, "คุณสมชาย ใจดี");
    assert_eq!(carrier, "ไปรษณีย์ไทย");
    assert_eq!(status, "waiting");

    // Listed and filtered from the replica.
    let list = |status: Option<ParcelStatus>, recipient: Option<&str>| {
        phone
            .lobby
            .parcels()
            .list(&ParcelFilter {
                status,
                recipient: recipient.map(str::to_string),
            })
            .unwrap()
    };
    assert_eq!(list(None, None).len(), 1);
    assert_eq!(list(Some(ParcelStatus::Waiting), Some("สมชาย")).len(), 1);
    assert_eq!(list(Some(ParcelStatus::PickedUp), None).len(), 0);
    assert_eq!(list(None, Some("มานี")).len(), 0);
    let p = &list(None, Some("  สมชาย ")).first().cloned().unwrap();
    assert_eq!(p.tracking.as_deref(), Some("EX123456789TH"));
    assert_eq!(p.unit_id, units[0].unit_id);
}

fn parcel(unit_id: &str, recipient: &str) -> ParcelAdd {
    ParcelAdd {
        unit_id: unit_id.to_string(),
        recipient: recipient.to_string(),
        carrier: "Kerry Express".into(),
        tracking: None,
    }
}

fn arrivals(phone: &Phone) -> Vec<String> {
    phone
        .lobby
        .parcels()
        .new_arrivals()
        .unwrap()
        .into_iter()
        .map(|p| p.parcel_id)
        .collect()
}

#[tokio::test]
async fn each_new_parcel_is_announced_once_across_restarts_and_resyncs() {
    let server = TestServer::start().await;
    let units = server.import_demo_registry().await;
    let mut phone = Phone::new(&server.url);
    phone.onboard(&server, &units[0], OWNER_PHONE).await;
    let unit = &units[0].unit_id;
    let a = server
        .admin
        .add_parcel(&parcel(unit, "สมชาย"))
        .await
        .unwrap()
        .parcel_id;
    phone.lobby.sync().await.unwrap();
    assert_eq!(arrivals(&phone), vec![a.clone()]);

    // The app is killed before it showed the notification: it comes again.
    phone.lobby.close();
    phone.reopen(&server.url);
    assert_eq!(arrivals(&phone), vec![a.clone()]);
    phone
        .lobby
        .parcels()
        .mark_announced(std::slice::from_ref(&a))
        .unwrap();
    assert!(arrivals(&phone).is_empty());
    phone.lobby.close();
    phone.reopen(&server.url);
    assert!(arrivals(&phone).is_empty(), "not after a restart");

    // A second parcel is announced alone, oldest first among new ones.
    let b = server
        .admin
        .add_parcel(&parcel(unit, "มานี"))
        .await
        .unwrap()
        .parcel_id;
    let c = server
        .admin
        .add_parcel(&parcel(unit, "มานะ"))
        .await
        .unwrap()
        .parcel_id;
    phone.lobby.sync().await.unwrap();
    assert_eq!(arrivals(&phone), vec![b.clone(), c.clone()]);
    phone.lobby.parcels().mark_announced(&[b, c]).unwrap();

    // A re-sync from scratch (the server starts a new epoch) brings every parcel back into
    // the replica, but announces none of them again.
    server.admin.bump_epoch().await.unwrap();
    phone.lobby.sync().await.unwrap();
    phone.lobby.sync().await.unwrap();
    assert_eq!(
        phone
            .lobby
            .parcels()
            .list(&ParcelFilter::default())
            .unwrap()
            .len(),
        3
    );
    assert!(arrivals(&phone).is_empty(), "not after a re-sync");
}

#[tokio::test]
async fn the_arrivals_watcher_tells_of_each_new_parcel_after_the_sync_that_brought_it() {
    let server = TestServer::start().await;
    let units = server.import_demo_registry().await;
    let phone = Phone::new(&server.url);
    phone.onboard(&server, &units[0], OWNER_PHONE).await;
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<Vec<String>>();
    let watcher = phone
        .lobby
        .parcels()
        .watch_arrivals(move |found| {
            let _ = tx.send(found.into_iter().map(|p| p.parcel_id).collect());
        })
        .expect("watching");
    // Nothing yet: nothing delivered, even after a sync that brings no parcel.
    phone.lobby.sync().await.unwrap();
    let first = server
        .admin
        .add_parcel(&parcel(&units[0].unit_id, "สมชาย"))
        .await
        .unwrap();
    phone.lobby.sync().await.unwrap();
    assert_eq!(next(&mut rx).await, vec![first.parcel_id.clone()]);
    phone
        .lobby
        .parcels()
        .mark_announced(std::slice::from_ref(&first.parcel_id))
        .unwrap();
    let second = server
        .admin
        .add_parcel(&parcel(&units[0].unit_id, "Jane"))
        .await
        .unwrap();
    phone.lobby.sync().await.unwrap();
    assert_eq!(next(&mut rx).await, vec![second.parcel_id.clone()]);
    watcher.abort();
}

async fn next(rx: &mut tokio::sync::mpsc::UnboundedReceiver<Vec<String>>) -> Vec<String> {
    tokio::time::timeout(std::time::Duration::from_secs(10), rx.recv())
        .await
        .expect("an arrival within 10 s")
        .expect("the watcher is running")
}
