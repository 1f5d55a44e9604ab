//! Consents end to end (DESIGN.md §2.8, issue 11): staff bring documents into force, the
//! phone learns by sync whom to ask, answers offline (queued, shown at once), the server
//! records every answer — withdrawals too — and a new version asks again.

use lobby_core::domain::consent::ConsentKind;
use lobby_core::ErrorCode;
use lobby_e2e::TestServer;

#[tokio::test]
async fn consents_are_asked_given_withdrawn_and_asked_again_for_a_new_version() {
    let mut server = TestServer::start().await;
    let (phone, _) = server.onboarded_owner().await;
    let lobby = &phone.lobby;
    // Nothing published: nothing to ask, nothing to agree to.
    lobby.sync().await.unwrap();
    assert!(lobby.consents().to_ask().unwrap().is_empty());
    assert_eq!(
        lobby
            .consents()
            .give(ConsentKind::Terms, None)
            .unwrap_err()
            .code,
        ErrorCode::NotFound
    );
    for (kind, version) in [
        ("terms", "2026-11"),
        ("privacy", "2026-11"),
        ("marketing", "1"),
    ] {
        server.admin.publish_policy(kind, version).await.unwrap();
    }
    assert_eq!(
        server
            .admin
            .publish_policy("terms", "2026-11")
            .await
            .unwrap_err()
            .code,
        ErrorCode::Conflict
    );
    lobby.sync().await.unwrap();
    assert_eq!(
        lobby.consents().to_ask().unwrap(),
        [
            ConsentKind::Terms,
            ConsentKind::Privacy,
            ConsentKind::Marketing
        ]
    );

    // Answered offline: queued and shown at once.
    server.stop().await;
    lobby.consents().give(ConsentKind::Terms, None).unwrap();
    lobby
        .consents()
        .give(ConsentKind::Privacy, Some("2026-11"))
        .unwrap();
    lobby
        .consents()
        .withdraw(ConsentKind::Marketing, None)
        .unwrap();
    let list = lobby.consents().list().unwrap();
    assert!(list.iter().all(|c| c.pending && !c.ask), "{list:?}");
    assert!(list[0].given && list[1].given && !list[2].given);
    // An old version cannot be agreed to, even offline.
    assert_eq!(
        lobby
            .consents()
            .give(ConsentKind::Terms, Some("2025-01"))
            .unwrap_err()
            .code,
        ErrorCode::Conflict
    );
    server.restart().await;
    lobby.sync().await.unwrap();
    let list = lobby.consents().list().unwrap();
    assert!(list.iter().all(|c| !c.pending && !c.ask), "{list:?}");
    assert_eq!(list[0].version.as_deref(), Some("2026-11"));
    assert!(list[0].given && !list[2].given);

    // A new version of the terms: asked again (marketing, refused, stays refused).
    server
        .admin
        .publish_policy("terms", "2027-01")
        .await
        .unwrap();
    lobby.sync().await.unwrap();
    assert_eq!(lobby.consents().to_ask().unwrap(), [ConsentKind::Terms]);
    lobby.consents().give(ConsentKind::Terms, None).unwrap();
    lobby.sync().await.unwrap();
    assert!(lobby.consents().to_ask().unwrap().is_empty());

    // Every answer is kept on the server, the withdrawal included.
    let answers: Vec<(String, String, bool)> = server
        .db()
        .prepare("SELECT kind, version, given FROM consent_events ORDER BY at, rowid")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap();
    let expect = [
        ("terms", "2026-11", true),
        ("privacy", "2026-11", true),
        ("marketing", "1", false),
        ("terms", "2027-01", true),
    ];
    assert_eq!(
        answers,
        expect
            .iter()
            .map(|(k, v, g)| (k.to_string(), v.to_string(), *g))
            .collect::<Vec<_>>()
    );
    server.stop().await;
}

/// An erasure request filed from a stale sign-in comes back refused `reauth_required`
/// (visible on the phone, not filed); after signing in again it is filed, staff answer,
/// and the answer syncs back. A correction without its detail is refused at once.
#[tokio::test]
async fn an_erasure_request_from_a_stale_sign_in_is_refused_until_the_person_signs_in_again() {
    use lobby_core::domain::privacy_request::{RequestKind, RequestStatus};

    let mut server = TestServer::start().await;
    let (phone, units) = server.onboarded_owner().await;
    let lobby = &phone.lobby;
    let project = lobby.units().list().unwrap()[0].project_id.clone();
    assert_eq!(
        lobby
            .privacy()
            .file_request(RequestKind::Correction, Some("  "))
            .unwrap_err()
            .code,
        ErrorCode::InvalidInput
    );
    server.age_sign_ins(11 * 60);
    let stale = lobby
        .privacy()
        .file_request(RequestKind::Erasure, None)
        .unwrap();
    assert!(stale.pending);
    lobby.sync().await.unwrap();
    let shown = lobby.privacy().requests().unwrap();
    assert_eq!(shown.len(), 1);
    assert_eq!(shown[0].refused.as_deref(), Some("reauth_required"));
    assert!(!shown[0].pending);
    assert!(server
        .admin
        .privacy_requests(&project)
        .await
        .unwrap()
        .requests
        .is_empty());

    lobby
        .auth()
        .login_password(lobby_e2e::OWNER_PHONE, lobby_e2e::OWNER_PASSWORD)
        .await
        .unwrap();
    let filed = lobby
        .privacy()
        .file_request(RequestKind::Erasure, Some("ย้ายออกแล้ว ขอให้ลบข้อมูล"))
        .unwrap();
    lobby.sync().await.unwrap();
    let open = server
        .admin
        .privacy_requests(&project)
        .await
        .unwrap()
        .requests;
    assert_eq!(open.len(), 1);
    assert_eq!(open[0].request_id, filed.request_id);
    server
        .admin
        .decide_privacy_request(&filed.request_id, false, Some("ยังเป็นเจ้าของห้อง 12/345"))
        .await
        .unwrap();
    lobby.sync().await.unwrap();
    let answered = lobby
        .privacy()
        .requests()
        .unwrap()
        .into_iter()
        .find(|r| r.request_id == filed.request_id)
        .unwrap();
    assert_eq!(answered.status, RequestStatus::Rejected);
    assert_eq!(answered.answer.as_deref(), Some("ยังเป็นเจ้าของห้อง 12/345"));
    assert!(!answered.pending);
    let _ = units;
    server.stop().await;
}

#[tokio::test]
async fn consents_given_at_onboarding_are_not_asked_again_until_a_new_version() {
    let server = TestServer::start().await;
    let units = server.import_demo_registry().await;
    for kind in ["terms", "privacy", "marketing"] {
        server.admin.publish_policy(kind, "2026-12").await.unwrap();
    }
    let phone = lobby_e2e::Phone::new(&server.url);
    let lobby = &phone.lobby;
    let payload = &units[0].onboarding_payload;
    let scanned = lobby.auth().scan_onboarding(payload).await.unwrap();
    let listed: Vec<&str> = scanned
        .preview
        .policies
        .iter()
        .map(|p| p.kind.as_str())
        .collect();
    assert_eq!(listed, ["terms", "privacy", "marketing"]);
    let answers = scanned
        .answers(
            &[ConsentKind::Terms, ConsentKind::Privacy],
            &[ConsentKind::Marketing],
        )
        .unwrap();
    // A kind answered twice is refused on the phone, before any network call.
    assert_eq!(
        scanned
            .answers(&[ConsentKind::Terms], &[ConsentKind::Terms])
            .unwrap_err()
            .code,
        ErrorCode::InvalidInput
    );
    lobby
        .auth()
        .start_onboarding(
            payload,
            Some(lobby_e2e::OWNER_PHONE),
            Some(lobby_e2e::OWNER_PASSWORD),
            None,
            None,
            &answers,
        )
        .await
        .unwrap();
    let code = server
        .admin
        .peek_otp(lobby_e2e::OWNER_PHONE)
        .await
        .unwrap()
        .code;
    lobby.auth().verify_onboarding(&code).await.unwrap();

    // The first sync brought the answers: nothing to ask, each shown as recorded.
    assert!(lobby.consents().to_ask().unwrap().is_empty());
    let list = lobby.consents().list().unwrap();
    let shown: Vec<_> = list
        .iter()
        .map(|c| (c.kind, c.version.as_deref(), c.given, c.pending))
        .collect();
    assert_eq!(
        shown,
        [
            (ConsentKind::Terms, Some("2026-12"), true, false),
            (ConsentKind::Privacy, Some("2026-12"), true, false),
            (ConsentKind::Marketing, Some("2026-12"), false, false),
        ]
    );
    assert!(list.iter().all(|c| c.at.is_some()));

    // A new privacy policy asks again (the refused marketing notice stays refused).
    server
        .admin
        .publish_policy("privacy", "2027-01")
        .await
        .unwrap();
    lobby.sync().await.unwrap();
    assert_eq!(lobby.consents().to_ask().unwrap(), [ConsentKind::Privacy]);
}
