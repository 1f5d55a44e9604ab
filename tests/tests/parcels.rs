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
