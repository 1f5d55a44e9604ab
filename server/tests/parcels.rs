//! Parcels (DESIGN.md §2.4, issue 8): staff log a parcel for a unit; whoever sees the
//! unit gets it by sync; staff of another project cannot tell the unit exists.

mod common;

use common::*;
use lobby_model::protocol::admin::ParcelAdd;
use lobby_model::protocol::{PullResponse, Record};
use lobby_model::ErrorCode;
use serde_json::json;

fn parcel(unit_id: &str, recipient: &str) -> ParcelAdd {
    ParcelAdd {
        unit_id: unit_id.to_string(),
        recipient: recipient.to_string(),
        carrier: "Kerry Express".to_string(),
        tracking: Some("KEX123456789TH".to_string()),
    }
}

#[tokio::test]
async fn a_logged_parcel_reaches_the_units_owner_by_sync() {
    let t = dev_server().await;
    let (_, imported) = t.project_with_owners(REGISTRY).await;
    let grant = t
        .onboard(&imported.units[0].onboarding_payload, "081-234-5678")
        .await;
    let unit = &imported.units[0].unit_id;
    let added = t
        .admin
        .add_parcel(&parcel(unit, "สมชาย ใจดี"))
        .await
        .expect("logged");
    let page: PullResponse = serde_json::from_value(
        t.post_ok("/v1/sync/pull", json!({}), grant["access_token"].as_str())
            .await,
    )
    .unwrap();
    let got = page
        .changes
        .iter()
        .find_map(|c| match &c.record {
            Record::Parcel(p) => Some((c.scope.clone(), p.clone())),
            _ => None,
        })
        .expect("the parcel is pulled");
    assert_eq!(got.0, format!("unit:{unit}"));
    assert_eq!(got.1.id, added.parcel_id);
    assert_eq!(got.1.recipient, "สมชาย ใจดี");
    assert_eq!(got.1.status, "waiting");
    assert_eq!(got.1.tracking.as_deref(), Some("KEX123456789TH"));
    t.shutdown().await;
}

#[tokio::test]
async fn another_projects_staff_get_the_answer_of_an_unknown_unit() {
    let t = dev_server().await;
    let (_, imported) = t.project_with_owners(REGISTRY).await;
    let other_project = t.project().await;
    let limited =
        lobby_server::AdminClient::new(&t.url, &add_staff(&t.db_path, Some(&other_project)));
    let theirs = limited
        .add_parcel(&parcel(&imported.units[0].unit_id, "สมชาย"))
        .await
        .unwrap_err();
    let unknown = limited
        .add_parcel(&parcel("01900000-0000-7000-8000-000000000000", "สมชาย"))
        .await
        .unwrap_err();
    assert_eq!(theirs.code, ErrorCode::NotFound);
    assert_eq!(
        (theirs.code, theirs.message),
        (unknown.code, unknown.message)
    );
    assert_eq!(t.count("SELECT COUNT(*) FROM parcels"), 0);
    t.shutdown().await;
}

#[tokio::test]
async fn a_spoofed_recipient_or_an_overlong_tracking_number_is_refused() {
    let t = dev_server().await;
    let (_, imported) = t.project_with_owners(REGISTRY).await;
    let unit = &imported.units[0].unit_id;
    let spoofed = t
        .admin
        .add_parcel(&parcel(unit, "\u{202E}ยาชมส"))
        .await
        .unwrap_err();
    assert_eq!(spoofed.code, ErrorCode::InvalidInput);
    let mut long = parcel(unit, "สมชาย");
    long.tracking = Some("9".repeat(65));
    assert_eq!(
        t.admin.add_parcel(&long).await.unwrap_err().code,
        ErrorCode::InvalidInput
    );
    assert_eq!(t.count("SELECT COUNT(*) FROM parcels"), 0);
    t.shutdown().await;
}

#[tokio::test]
async fn staff_find_parcels_by_unit_status_and_recipient_within_their_project() {
    let t = dev_server().await;
    let (project, imported) = t.project_with_owners(REGISTRY).await;
    let (a, b) = (&imported.units[0].unit_id, &imported.units[1].unit_id);
    let somchai = t.admin.add_parcel(&parcel(a, "สมชาย ใจดี")).await.unwrap();
    let jane = t.admin.add_parcel(&parcel(a, "Jane Doe")).await.unwrap();
    let other = t.admin.add_parcel(&parcel(b, "สมชาย ใจดี")).await.unwrap();
    t.admin.return_parcel(&jane.parcel_id).await.unwrap();
    let ids = |l: lobby_model::protocol::admin::ParcelList| -> Vec<String> {
        assert!(!l.truncated);
        l.parcels.into_iter().map(|p| p.id).collect()
    };
    // Newest first.
    assert_eq!(
        ids(t.admin.list_parcels(None, None, None).await.unwrap()),
        vec![
            other.parcel_id.clone(),
            jane.parcel_id.clone(),
            somchai.parcel_id.clone()
        ]
    );
    assert_eq!(
        ids(t.admin.list_parcels(Some(a), None, None).await.unwrap()),
        vec![jane.parcel_id.clone(), somchai.parcel_id.clone()]
    );
    assert_eq!(
        ids(t
            .admin
            .list_parcels(Some(a), Some("waiting"), Some("สมชาย"))
            .await
            .unwrap()),
        vec![somchai.parcel_id.clone()]
    );
    assert_eq!(
        ids(t
            .admin
            .list_parcels(None, Some("returned"), Some("jane"))
            .await
            .unwrap()),
        vec![jane.parcel_id.clone()]
    );
    let returned = t
        .admin
        .list_parcels(None, Some("returned"), None)
        .await
        .unwrap();
    let r = returned.parcels[0]
        .returned
        .as_ref()
        .expect("custody of the return");
    assert!(!r.by.is_empty());
    assert_eq!(
        t.admin
            .list_parcels(None, Some("lost"), None)
            .await
            .unwrap_err()
            .code,
        ErrorCode::InvalidInput
    );
    // The description allows 200 characters as sent, spaces included.
    for too_long in [" ".repeat(201), format!("สมชาย{}", " ".repeat(196))] {
        assert_eq!(
            t.admin
                .list_parcels(None, None, Some(&too_long))
                .await
                .unwrap_err()
                .code,
            ErrorCode::InvalidInput
        );
    }
    // A credential of this project sees them; one of another project sees none.
    let mine = lobby_server::AdminClient::new(&t.url, &add_staff(&t.db_path, Some(&project)));
    assert_eq!(
        ids(mine.list_parcels(None, None, None).await.unwrap()).len(),
        3
    );
    let other_project = t.project().await;
    let theirs =
        lobby_server::AdminClient::new(&t.url, &add_staff(&t.db_path, Some(&other_project)));
    assert!(ids(theirs.list_parcels(None, None, None).await.unwrap()).is_empty());
    assert!(ids(theirs.list_parcels(Some(a), None, None).await.unwrap()).is_empty());
    t.shutdown().await;
}
