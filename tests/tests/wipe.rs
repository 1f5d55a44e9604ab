//! Wipe (PDPA erasure on the device): after `Lobby::wipe`, nothing the account put on the
//! phone can be found — not in any file under its data directory, not in any table of the
//! database (read with its key), not in the secret store.
//!
//! The phone keeps its secrets in a `FileSecretStore` inside its data directory (as the
//! CLI does), so one search of the directory covers the secret store too. Before wiping,
//! the same search must find the values: a search that finds nothing either way proves
//! nothing.

use std::path::Path;
use std::sync::Arc;

use lobby_core::protocol::{Change, PullResponse, Record, Role};
use lobby_core::secrets::{keys, FileSecretStore, SecretStore};
use lobby_core::store::{DatabaseKey, Store};
use lobby_core::{Lobby, LobbyConfig};
use lobby_e2e::{Phone, TestServer, OWNER_PASSWORD, OWNER_PHONE};

const TENANT_PHONE: &str = "086-555-0101";
const TENANT_NAME: &str = "มานี ผู้เช่า";
const NEW_NAME: &str = "คุณสมชาย ลบได้";
const PARCEL_TRACKING: &str = "TH0123456789WIPE";
const PARCEL_RECIPIENT: &str = "ด.ช. พัสดุ ใจดี";

/// Every text value of every row of every table, read through SQLCipher with the key.
fn database_text(dir: &Path, secrets: &FileSecretStore) -> Vec<String> {
    let hex = secrets
        .get(keys::DATABASE_KEY)
        .expect("secrets")
        .expect("the device keeps its database key");
    let store = Store::open(&dir.join("lobby.db"), &DatabaseKey::from_hex(&hex).unwrap())
        .expect("the database opens with its key");
    lobby_e2e::database_cells(store.connection())
}

/// Where each value is found: files (raw bytes) and database cells.
fn find_everywhere(dir: &Path, secrets: &FileSecretStore, values: &[String]) -> Vec<String> {
    let files = lobby_e2e::files_under(dir);
    let cells = database_text(dir, secrets);
    let mut found = Vec::new();
    for v in values {
        let needle = v.as_bytes();
        for (name, bytes) in &files {
            if bytes.windows(needle.len()).any(|w| w == needle) {
                found.push(format!("{v:?} in file {name}"));
            }
        }
        for cell in &cells {
            if cell.contains(v.as_str()) {
                found.push(format!("{v:?} in {cell}"));
            }
        }
    }
    found
}

#[tokio::test]
async fn a_wiped_phone_holds_no_personal_value_in_any_file_table_or_secret() {
    let server = TestServer::start().await;
    let units = server.import_demo_registry().await;
    let dir = tempfile::tempdir().unwrap();
    let secrets = Arc::new(FileSecretStore::new(dir.path().join("secrets.json")));
    let lobby = Lobby::open(
        LobbyConfig {
            data_dir: dir.path().to_path_buf(),
            server_url: Some(server.url.clone()),
            device_label: None,
        },
        secrets.clone(),
    )
    .unwrap();

    // An owner with two units, a confirmed tenant, pending and queued invitations, a
    // queued profile edit, a queued removal and a parcel.
    let payload = &units[0].onboarding_payload;
    lobby.auth().scan_onboarding(payload).await.unwrap();
    lobby
        .auth()
        .start_onboarding(
            payload,
            Some(OWNER_PHONE),
            Some(OWNER_PASSWORD),
            None,
            None,
            &[],
        )
        .await
        .unwrap();
    let otp = server.admin.peek_otp(OWNER_PHONE).await.unwrap().code;
    let signed = lobby.auth().verify_onboarding(&otp).await.unwrap();
    lobby
        .auth()
        .claim_onboarding(&units[1].onboarding_payload)
        .await
        .unwrap();
    let unit = units[0].unit_id.clone();
    let tenant_code = lobby
        .invites()
        .create(Role::Tenant, Some(&unit))
        .unwrap()
        .code
        .unwrap();
    let pending_code = lobby
        .invites()
        .create(Role::Resident, Some(&unit))
        .unwrap()
        .code
        .unwrap();
    lobby.sync().await.unwrap();
    let tenant = Phone::new(&server.url);
    tenant
        .lobby
        .invites()
        .accept(&tenant_code, TENANT_PHONE, Some(TENANT_NAME))
        .await
        .unwrap();
    let otp = server.admin.peek_otp(TENANT_PHONE).await.unwrap().code;
    tenant.lobby.auth().verify_login(&otp).await.unwrap();
    lobby.sync().await.unwrap();
    assert_eq!(lobby.invites().members(Some(&unit)).unwrap().len(), 1);

    lobby.set_server_url("http://127.0.0.1:9").unwrap(); // offline: what follows queues
    let queued_code = lobby
        .invites()
        .create(Role::Tenant, Some(&unit))
        .unwrap()
        .code
        .unwrap();
    lobby.profile().set_display_name(NEW_NAME).unwrap();
    let tenant_member = lobby.invites().members(Some(&unit)).unwrap().remove(0);
    lobby
        .invites()
        .remove_member(&tenant_member.person_id, Some(&unit))
        .unwrap();
    {
        let hex = secrets.get(keys::DATABASE_KEY).unwrap().unwrap();
        let mut store = Store::open(
            &dir.path().join("lobby.db"),
            &DatabaseKey::from_hex(&hex).unwrap(),
        )
        .unwrap();
        let parcel = lobby_core::protocol::ParcelRecord {
            id: "parcel-wipe-1".into(),
            unit_id: unit.clone(),
            recipient: PARCEL_RECIPIENT.into(),
            carrier: "Kerry".into(),
            tracking: Some(PARCEL_TRACKING.into()),
            status: "waiting".into(),
            logged_at: chrono::Utc::now(),
            picked_up_at: None,
            logged_by: Some("สมศรี นิติบุคคล".into()),
            handover: None,
            returned: None,
            photo: None,
        };
        store
            .apply_pull_page(&PullResponse {
                epoch: store.epoch().unwrap().unwrap_or(1),
                reset: false,
                changes: vec![Change {
                    seq: 1_000_000,
                    scope: format!("unit:{unit}"),
                    record: Record::Parcel(parcel),
                }],
                cursors: Default::default(),
                removed_scopes: vec![],
                has_more: false,
            })
            .unwrap();
    }

    let access = secrets.get(keys::ACCESS_TOKEN).unwrap().unwrap();
    let refresh = secrets.get(keys::REFRESH_TOKEN).unwrap().unwrap();
    let profile = lobby.profile().get().unwrap().unwrap();
    let personal: Vec<String> = [
        "สมชาย ใจดี".to_string(),
        profile.phone.clone().expect("the owner's phone"),
        "somchai@example.com".into(),
        NEW_NAME.into(),
        TENANT_NAME.into(),
        signed.person_id.clone(),
        tenant_member.person_id.clone(),
        pending_code.clone(),
        queued_code.clone(),
        access,
        refresh,
        PARCEL_TRACKING.into(),
        PARCEL_RECIPIENT.into(),
    ]
    .into_iter()
    .collect();

    // The search works: before the wipe it finds every value somewhere.
    let before = find_everywhere(dir.path(), &secrets, &personal);
    for v in &personal {
        assert!(
            before.iter().any(|f| f.starts_with(&format!("{v:?}"))),
            "{v:?} should be on the phone before the wipe"
        );
    }

    lobby.wipe().unwrap();
    lobby.close();

    // The accepted invitation's code was forgotten when the acceptance synced in; it is
    // searched for after the wipe too.
    let mut personal = personal;
    personal.push(tenant_code);
    let after = find_everywhere(dir.path(), &secrets, &personal);
    assert!(after.is_empty(), "left behind after wipe: {after:#?}");
    // The secret store keeps only the device's database key.
    let left: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("secrets.json")).unwrap()).unwrap();
    let names: Vec<&String> = left
        .as_object()
        .map(|o| o.keys().collect())
        .unwrap_or_default();
    assert_eq!(names, [keys::DATABASE_KEY]);
    // And every table is empty.
    assert!(database_text(dir.path(), &secrets).is_empty());
}
