//! Devices and sessions (issue 11): each phone names itself (`LobbyConfig::device_label`),
//! `auth().sessions()` lists the person's sign-ins with this phone's own marked, and
//! "log out everywhere" on one phone ends the others: the next sync of each wipes what it
//! held of the account (DESIGN.md §2.2), its queued changes kept.

use lobby_core::secrets::{keys, SecretStore};
use lobby_core::{ErrorCode, SyncState};
use lobby_e2e::{Phone, TestServer, OWNER_PASSWORD, OWNER_PHONE};

const PIXEL: &str = "Pixel 8 · Android 15";
const TABLET: &str = "Galaxy Tab S9 · แท็บเล็ตของสมชาย";

/// The owner onboarded on a Pixel and signed in with the password on a tablet.
async fn two_phones(server: &TestServer) -> (Phone, Phone) {
    let units = server.import_demo_registry().await;
    let pixel = Phone::labelled(&server.url, Some(PIXEL));
    pixel.onboard(server, &units[0], OWNER_PHONE).await;
    let tablet = Phone::labelled(&server.url, Some(TABLET));
    tablet
        .lobby
        .auth()
        .login_password(OWNER_PHONE, OWNER_PASSWORD)
        .await
        .expect("second sign-in");
    (pixel, tablet)
}

#[tokio::test]
async fn each_phone_lists_both_sign_ins_with_their_labels_and_itself_as_current() {
    let mut server = TestServer::start().await;
    let (pixel, tablet) = two_phones(&server).await;
    let from_pixel = pixel.lobby.auth().sessions().await.expect("list");
    let from_tablet = tablet.lobby.auth().sessions().await.expect("list");
    for (listed, me) in [(&from_pixel, PIXEL), (&from_tablet, TABLET)] {
        assert_eq!(listed.len(), 2, "{listed:?}");
        let current: Vec<_> = listed.iter().filter(|s| s.current).collect();
        assert_eq!(current.len(), 1);
        assert_eq!(current[0].device.as_deref(), Some(me));
        assert_eq!(listed[0].device.as_deref(), Some(TABLET), "newest first");
        assert!(listed.iter().all(|s| s.signed_in_at <= s.last_seen));
    }
    let ids = |l: &[lobby_core::SessionInfo]| {
        let mut v: Vec<String> = l.iter().map(|s| s.session_id.clone()).collect();
        v.sort();
        v
    };
    assert_eq!(ids(&from_pixel), ids(&from_tablet));

    // The list is the server's: offline, it is not made up.
    server.stop().await;
    let e = pixel.lobby.auth().sessions().await.unwrap_err();
    assert_eq!(e.code, ErrorCode::Offline);
}

#[tokio::test]
async fn a_device_without_a_valid_label_is_listed_as_unknown_and_signs_in_all_the_same() {
    let server = TestServer::start().await;
    let units = server.import_demo_registry().await;
    let phone = Phone::labelled(&server.url, Some("\u{202E}evil phone"));
    phone.onboard(&server, &units[0], OWNER_PHONE).await;
    let listed = phone.lobby.auth().sessions().await.expect("list");
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].device, None);
    assert!(listed[0].current);
}

#[tokio::test]
async fn logging_out_everywhere_on_one_phone_wipes_the_other_at_its_next_sync() {
    let server = TestServer::start().await;
    let (pixel, tablet) = two_phones(&server).await;
    assert_eq!(tablet.lobby.units().list().unwrap().len(), 1);
    // A change queued on the tablet while offline to the news (it stays queued).
    tablet
        .lobby
        .profile()
        .set_display_name("สมชาย บนแท็บเล็ต")
        .expect("queued");

    assert!(pixel.lobby.auth().logout(true).await.expect("logout"));

    let report = tablet.lobby.sync().await.expect("a report");
    assert!(
        matches!(&report.state, SyncState::Error { code, .. } if *code == ErrorCode::Unauthorized),
        "{report:?}"
    );
    assert!(!tablet.lobby.auth().is_signed_in());
    assert!(tablet.lobby.units().list().unwrap().is_empty());
    assert!(tablet.lobby.profile().get().unwrap().is_none());
    for key in keys::SESSION {
        assert_eq!(tablet.secrets.get(key).unwrap(), None, "{key}");
    }
    let store = tablet.store();
    for table in ["units", "memberships", "projects"] {
        assert_eq!(store.count_rows(table).unwrap(), 0, "{table}");
    }
    assert_eq!(
        store.count_rows("outbox").unwrap(),
        1,
        "the queued change stays"
    );
    drop(store);
    let e = tablet.lobby.auth().sessions().await.unwrap_err();
    assert_eq!(e.code, ErrorCode::Unauthorized);

    // Signing in again brings the account back, and the queued change goes out.
    let again = tablet
        .lobby
        .auth()
        .login_password(OWNER_PHONE, OWNER_PASSWORD)
        .await
        .expect("sign in again");
    assert_eq!(again.units.len(), 1);
    assert_eq!(tablet.lobby.status().pending, 0);
    let listed = tablet.lobby.auth().sessions().await.expect("list");
    assert_eq!(listed.len(), 1, "only the new sign-in: {listed:?}");
    assert_eq!(listed[0].device.as_deref(), Some(TABLET));
}

#[tokio::test]
async fn reporting_misuse_ends_every_sign_in_and_the_report_is_listed_after_signing_in_again() {
    let mut server = TestServer::start().await;
    let (pixel, tablet) = two_phones(&server).await;

    // Bad input never leaves the phone, and changes nothing.
    let bad = pixel.lobby.auth().report_misuse(Some("ปลอม\u{202E}")).await;
    assert_eq!(bad.unwrap_err().code, ErrorCode::InvalidInput);
    // A misuse report is not a queued request: it would not lock anyone out.
    let queued = pixel.lobby.privacy().file_request(
        lobby_core::domain::privacy_request::RequestKind::Misuse,
        None,
    );
    assert_eq!(queued.unwrap_err().code, ErrorCode::InvalidInput);
    // Offline, nothing happened: the phone keeps its session and says so.
    server.stop().await;
    let offline = pixel.lobby.auth().report_misuse(None).await;
    assert_eq!(offline.unwrap_err().code, ErrorCode::Offline);
    assert!(pixel.lobby.auth().is_signed_in());
    assert_eq!(pixel.lobby.units().list().unwrap().len(), 1);
    server.restart().await;

    let report = pixel
        .lobby
        .auth()
        .report_misuse(Some("มีคนเข้าบัญชีจากแท็บเล็ตที่ไม่ใช่ของฉัน"))
        .await
        .expect("reported");
    let minutes = (report.deadline - chrono::Utc::now()).num_minutes();
    assert!((71 * 60..=72 * 60).contains(&minutes), "{report:?}");
    // This phone is signed out; the tablet's next sync finds its sign-in ended.
    assert!(!pixel.lobby.auth().is_signed_in());
    assert!(pixel.lobby.units().list().unwrap().is_empty());
    let synced = tablet.lobby.sync().await.expect("a report");
    assert!(
        matches!(&synced.state, SyncState::Error { code, .. } if *code == ErrorCode::Unauthorized),
        "{synced:?}"
    );
    assert!(!tablet.lobby.auth().is_signed_in());

    // Signed in again, the person sees the report among their requests, with its deadline.
    pixel
        .lobby
        .auth()
        .login_password(OWNER_PHONE, OWNER_PASSWORD)
        .await
        .expect("sign in again");
    let requests = pixel.lobby.privacy().requests().expect("requests");
    let listed = requests
        .iter()
        .find(|r| r.request_id == report.request_id)
        .expect("the misuse report");
    assert_eq!(
        listed.kind,
        lobby_core::domain::privacy_request::RequestKind::Misuse
    );
    assert_eq!(listed.deadline, report.deadline);
    assert_eq!(
        listed.detail.as_deref(),
        Some("มีคนเข้าบัญชีจากแท็บเล็ตที่ไม่ใช่ของฉัน")
    );
}

#[tokio::test]
async fn erasing_a_phone_ends_its_sign_in_on_the_server_and_offline_still_wipes_it() {
    let mut server = TestServer::start().await;
    let (pixel, tablet) = two_phones(&server).await;
    assert!(tablet.lobby.sign_out_and_wipe().await.expect("erase"));
    assert!(!tablet.lobby.auth().is_signed_in());
    assert!(tablet.lobby.units().list().expect("units").is_empty());
    let left = pixel.lobby.auth().sessions().await.expect("list");
    assert_eq!(left.len(), 1, "{left:?}");
    assert_eq!(left[0].device.as_deref(), Some(PIXEL));

    // With the server gone the phone is erased all the same; the server was not told.
    server.stop().await;
    assert!(!pixel
        .lobby
        .sign_out_and_wipe()
        .await
        .expect("erase offline"));
    assert!(!pixel.lobby.auth().is_signed_in());
    assert!(pixel.lobby.units().list().expect("units").is_empty());
    assert!(pixel.secrets.get(keys::REFRESH_TOKEN).unwrap().is_none());
}
