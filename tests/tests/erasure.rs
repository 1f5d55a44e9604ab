//! Export and erasure through the phone core against the real server (issue 11): the
//! export joins the server's part and what only the phone holds; after staff approve an
//! erasure, the person's phone wipes at its next contact, and the neighbours' phones —
//! which held the person's name in their replicas — no longer do.

use lobby_core::domain::privacy_request::{RequestKind, RequestStatus};
use lobby_core::protocol::admin::ParcelAdd;
use lobby_core::protocol::Role;
use lobby_core::ErrorCode;
use lobby_e2e::*;

const TENANT_PHONE: &str = "0861112222";
const TENANT_NAME: &str = "มานี มีนา";
const TENANT_EMAIL: &str = "manee.m@example.com";

async fn tenant_of(server: &TestServer, owner: &Phone) -> Phone {
    let code = owner
        .lobby
        .invites()
        .create(Role::Tenant, None)
        .unwrap()
        .code
        .unwrap();
    owner.lobby.sync().await.unwrap();
    let phone = Phone::new(&server.url);
    phone
        .lobby
        .invites()
        .accept(&code, TENANT_PHONE, Some(TENANT_NAME))
        .await
        .unwrap();
    let otp = server.admin.peek_otp(TENANT_PHONE).await.unwrap().code;
    phone.lobby.auth().verify_login(&otp).await.unwrap();
    phone
        .lobby
        .profile()
        .request_email_change(TENANT_EMAIL)
        .await
        .unwrap();
    let code = server.admin.peek_otp(TENANT_EMAIL).await.unwrap().code;
    phone
        .lobby
        .profile()
        .confirm_email_change(&code)
        .await
        .unwrap();
    phone
}

/// Files under the phone's home whose bytes contain one of `needles` (the database is
/// encrypted, so this finds plaintext left beside it: logs, caches, exports).
fn named_in_files(phone: &Phone, needles: &[&str]) -> Vec<String> {
    files_under(phone.dir.path())
        .into_iter()
        .filter(|(_, bytes)| {
            needles
                .iter()
                .any(|n| bytes.windows(n.len()).any(|w| w == n.as_bytes()))
        })
        .map(|(name, _)| name)
        .collect()
}

/// Every value in the phone's database that contains one of `needles`.
fn named_on(phone: &Phone, needles: &[&str]) -> Vec<String> {
    database_cells(phone.store().connection())
        .into_iter()
        .filter(|cell| needles.iter().any(|n| cell.contains(n)))
        .collect()
}

#[tokio::test]
async fn the_export_and_an_approved_erasure_reach_every_phone() {
    let server = TestServer::start().await;
    let (owner, units) = server.onboarded_owner().await;
    let tenant = tenant_of(&server, &owner).await;
    server
        .admin
        .add_parcel(&ParcelAdd {
            unit_id: units[0].unit_id.clone(),
            recipient: TENANT_NAME.to_string(),
            carrier: "Flash Express".to_string(),
            tracking: None,
        })
        .await
        .unwrap();
    owner.lobby.sync().await.unwrap();
    tenant.lobby.sync().await.unwrap();
    let needles = [TENANT_NAME, "+66861112222", TENANT_EMAIL];
    assert!(
        !named_on(&owner, &needles).is_empty(),
        "the owner's phone holds the tenant's name before"
    );

    // The export: the server's part and the phone's own (a queued request shows there).
    let filed = tenant
        .lobby
        .privacy()
        .file_request(RequestKind::Erasure, Some("ย้ายออกแล้ว"))
        .unwrap();
    let doc: serde_json::Value =
        serde_json::from_str(&tenant.lobby.privacy().export().await.unwrap()).unwrap();
    assert_eq!(doc["format"], "lobby-export/1");
    assert_eq!(doc["server"]["profile"][0]["legal_name"], TENANT_NAME);
    assert_eq!(doc["server"]["parcels"][0]["recipient"], TENANT_NAME);
    assert_eq!(
        doc["device"]["privacy_requests_local"][0]["kind"],
        "erasure"
    );
    assert_eq!(doc["device"]["outbox"].as_array().unwrap().len(), 1);

    tenant.lobby.sync().await.unwrap();
    let decided = server
        .admin
        .decide_privacy_request(&filed.request_id, true, None)
        .await
        .unwrap();
    assert_eq!(decided.status, RequestStatus::Approved.as_str());

    // The tenant's phone: signed out at its next contact, and wiped.
    let report = tenant.lobby.sync().await.unwrap();
    assert!(
        matches!(&report.state, lobby_core::SyncState::Error { code, .. } if *code == ErrorCode::Unauthorized),
        "{report:?}"
    );
    assert!(!tenant.lobby.auth().is_signed_in());
    assert!(tenant.lobby.units().list().unwrap().is_empty());
    assert_eq!(named_on(&tenant, &needles), Vec::<String>::new());
    assert_eq!(named_in_files(&tenant, &needles), Vec::<String>::new());

    // The owner's phone: the member is gone, the parcel's recipient no longer names her.
    owner.lobby.sync().await.unwrap();
    assert!(owner.lobby.invites().members(None).unwrap().is_empty());
    assert_eq!(named_on(&owner, &needles), Vec::<String>::new());
    assert_eq!(named_in_files(&owner, &needles), Vec::<String>::new());
    // A phone syncing from scratch finds nothing either.
    let fresh = Phone::new(&server.url);
    fresh
        .lobby
        .auth()
        .login_password(OWNER_PHONE, OWNER_PASSWORD)
        .await
        .unwrap();
    fresh.lobby.sync().await.unwrap();
    assert!(!fresh.lobby.units().list().unwrap().is_empty());
    assert_eq!(named_on(&fresh, &needles), Vec::<String>::new());
}

#[tokio::test]
async fn an_export_from_a_stale_sign_in_asks_to_sign_in_again() {
    let server = TestServer::start().await;
    let (owner, _) = server.onboarded_owner().await;
    server.age_sign_ins(11 * 60);
    let e = owner.lobby.privacy().export().await.unwrap_err();
    assert_eq!(e.code, ErrorCode::ReauthRequired);
    owner
        .lobby
        .auth()
        .login_password(OWNER_PHONE, OWNER_PASSWORD)
        .await
        .unwrap();
    assert!(owner.lobby.privacy().export().await.is_ok());
}
