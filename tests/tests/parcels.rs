//! Parcels reach the phone (issue 8, first step): staff log one for the owner's unit, the
//! phone's next sync keeps it in its encrypted replica, Thai text intact.

use lobby_core::protocol::admin::ParcelAdd;
use lobby_core::{ParcelFilter, ParcelStatus};
use lobby_e2e::{Phone, TestServer, OWNER_PHONE};

#[tokio::test]
async fn a_parcel_staff_log_is_in_the_phones_replica_after_sync() {
    let server = TestServer::start().await;
    let (phone, units) = server.onboarded_owner().await;
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

fn jpeg(width: u32, height: u32) -> Vec<u8> {
    let img = image::RgbImage::from_fn(width, height, |x, y| {
        image::Rgb([(x * 9) as u8, (y * 3) as u8, 160])
    });
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Jpeg).unwrap();
    out.into_inner()
}

fn cached_files(phone: &Phone) -> i64 {
    phone
        .store()
        .connection()
        .query_row("SELECT COUNT(*) FROM file_cache", [], |r| r.get(0))
        .unwrap()
}

/// Writes to the server's database behind its back (to corrupt a file, end a membership).
fn server_write(server: &TestServer, sql: &str) {
    let c = rusqlite::Connection::open(&server.db_path).unwrap();
    c.busy_timeout(std::time::Duration::from_secs(5)).unwrap();
    c.execute(sql, []).unwrap();
}

#[tokio::test]
async fn a_photo_is_fetched_once_then_shown_offline_and_one_never_fetched_is_offline() {
    let mut server = TestServer::start().await;
    let (phone, units) = server.onboarded_owner().await;
    let unit = &units[0].unit_id;
    let (a, b) = (
        server
            .admin
            .add_parcel(&parcel(unit, "สมชาย"))
            .await
            .unwrap()
            .parcel_id,
        server
            .admin
            .add_parcel(&parcel(unit, "มานี"))
            .await
            .unwrap()
            .parcel_id,
    );
    let photo_a = jpeg(48, 32);
    let set = server
        .admin
        .set_parcel_photo(&a, photo_a.clone())
        .await
        .unwrap();
    server
        .admin
        .set_parcel_photo(&b, jpeg(20, 20))
        .await
        .unwrap();
    phone.lobby.sync().await.unwrap();

    let listed = phone
        .lobby
        .parcels()
        .list(&ParcelFilter::default())
        .unwrap();
    let info = listed
        .iter()
        .find(|p| p.parcel_id == a)
        .and_then(|p| p.photo.clone())
        .expect("the list knows the photo");
    assert_eq!(info.file_id, set.file_id);
    assert_eq!(info.size, photo_a.len() as u64);
    assert!(!info.cached);

    assert_eq!(phone.lobby.parcels().photo(&a).await.unwrap(), photo_a);
    assert_eq!(cached_files(&phone), 1);
    let listed = phone
        .lobby
        .parcels()
        .list(&ParcelFilter::default())
        .unwrap();
    assert!(listed
        .iter()
        .any(|p| p.parcel_id == a && p.photo.as_ref().is_some_and(|f| f.cached)));

    server.stop().await;
    assert_eq!(
        phone.lobby.parcels().photo(&a).await.unwrap(),
        photo_a,
        "served from the cache with the server stopped"
    );
    assert_eq!(
        phone.lobby.parcels().photo(&b).await.unwrap_err().code,
        lobby_core::ErrorCode::Offline
    );
    assert_eq!(
        phone
            .lobby
            .parcels()
            .photo("no-such-parcel")
            .await
            .unwrap_err()
            .code,
        lobby_core::ErrorCode::NotFound
    );
}

#[tokio::test]
async fn a_file_that_does_not_match_its_digest_is_refused_and_not_cached() {
    let server = TestServer::start().await;
    let (phone, units) = server.onboarded_owner().await;
    let id = server
        .admin
        .add_parcel(&parcel(&units[0].unit_id, "สมชาย"))
        .await
        .unwrap()
        .parcel_id;
    let photo = jpeg(24, 24);
    let set = server
        .admin
        .set_parcel_photo(&id, photo.clone())
        .await
        .unwrap();
    phone.lobby.sync().await.unwrap();
    // The stored bytes change under the record (a broken disk, a tampering proxy): the
    // same length, another digest.
    let mut tampered = photo.clone();
    let last = tampered.len() - 3;
    tampered[last] ^= 0xFF;
    let c = rusqlite::Connection::open(&server.db_path).unwrap();
    c.busy_timeout(std::time::Duration::from_secs(5)).unwrap();
    c.execute(
        "UPDATE files SET bytes = ?1 WHERE id = ?2",
        rusqlite::params![tampered, set.file_id],
    )
    .unwrap();
    let e = phone.lobby.parcels().photo(&id).await.unwrap_err();
    assert_eq!(e.code, lobby_core::ErrorCode::ServerError);
    assert_eq!(cached_files(&phone), 0, "nothing was kept");
    // Repaired, it is fetched and kept.
    c.execute(
        "UPDATE files SET bytes = ?1 WHERE id = ?2",
        rusqlite::params![photo, set.file_id],
    )
    .unwrap();
    assert_eq!(phone.lobby.parcels().photo(&id).await.unwrap(), photo);
    assert_eq!(cached_files(&phone), 1);
}

#[tokio::test]
async fn losing_the_unit_deletes_its_cached_photos_and_a_replaced_photo_is_dropped() {
    let server = TestServer::start().await;
    let (phone, units) = server.onboarded_owner().await;
    let unit = &units[0].unit_id;
    let id = server
        .admin
        .add_parcel(&parcel(unit, "สมชาย"))
        .await
        .unwrap()
        .parcel_id;
    server
        .admin
        .set_parcel_photo(&id, jpeg(16, 16))
        .await
        .unwrap();
    phone.lobby.sync().await.unwrap();
    phone.lobby.parcels().photo(&id).await.unwrap();
    assert_eq!(cached_files(&phone), 1);

    // Replaced: the next sync names the new file; the old one leaves the cache.
    let newer = jpeg(32, 16);
    server
        .admin
        .set_parcel_photo(&id, newer.clone())
        .await
        .unwrap();
    phone.lobby.sync().await.unwrap();
    assert_eq!(cached_files(&phone), 0, "the replaced photo is gone");
    assert_eq!(phone.lobby.parcels().photo(&id).await.unwrap(), newer);
    assert_eq!(cached_files(&phone), 1);

    // The membership ends (a change of ownership): the unit's scope is purged, and its
    // photo with it, before anything else could show it.
    server_write(
        &server,
        &format!("UPDATE memberships SET ended_at = 1 WHERE unit_id = '{unit}'"),
    );
    phone.lobby.sync().await.unwrap();
    assert_eq!(
        phone
            .lobby
            .parcels()
            .list(&ParcelFilter::default())
            .unwrap()
            .len(),
        0
    );
    assert_eq!(cached_files(&phone), 0, "no photo of a lost unit is kept");
    assert_eq!(
        phone.lobby.parcels().photo(&id).await.unwrap_err().code,
        lobby_core::ErrorCode::NotFound
    );
}

#[tokio::test]
async fn the_arrivals_watcher_tells_of_each_new_parcel_after_the_sync_that_brought_it() {
    let server = TestServer::start().await;
    let (phone, units) = server.onboarded_owner().await;
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
