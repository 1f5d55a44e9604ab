//! The pickup pass end to end (DESIGN.md §2.4, issue 8): the phone registers its device
//! key at sign-in, makes a pass with no network, staff verify it and hand parcels over on
//! the real server, and the custody comes back to the phone by sync. Every refusal the
//! issue lists has its test here.

use base64::Engine;
use chrono::{Duration, Utc};
use lobby_core::domain::device_key::DeviceKey;
use lobby_core::domain::pickup_pass::{make_pass, read_pass, step_at, PassClaims};
use lobby_core::protocol::admin::{ImportedUnit, ParcelAdd, PickupHandover};
use lobby_core::protocol::Role;
use lobby_core::secrets::{keys, SecretStore};
use lobby_core::{CustodyStep, ErrorCode, ParcelFilter, ParcelStatus};
use lobby_e2e::{Phone, TestServer, OWNER_PASSWORD, OWNER_PHONE};
use uuid::Uuid;

const TENANT_PHONE: &str = "086-555-0101";

async fn owner(server: &TestServer) -> (Phone, Vec<ImportedUnit>, String) {
    let units = server.import_demo_registry().await;
    let phone = Phone::new(&server.url);
    let signed = phone.onboard(server, &units[0], OWNER_PHONE).await;
    (phone, units, signed.person_id)
}

async fn log(server: &TestServer, unit_id: &str, recipient: &str) -> String {
    server
        .admin
        .add_parcel(&ParcelAdd {
            unit_id: unit_id.to_string(),
            recipient: recipient.to_string(),
            carrier: "ไปรษณีย์ไทย".into(),
            tracking: None,
        })
        .await
        .expect("logged")
        .parcel_id
}

fn qr(payload: &str, parcels: &[&str]) -> PickupHandover {
    PickupHandover {
        payload: Some(payload.to_string()),
        parcel_ids: parcels.iter().map(|p| p.to_string()).collect(),
        signature_png: None,
        collected_by: None,
    }
}

/// A pass signed with the phone's own key over `claims` (to pick its time step).
fn pass_with(phone: &Phone, claims: PassClaims) -> lobby_core::domain::pickup_pass::MadePass {
    let secret = phone.secrets.get(keys::DEVICE_KEY).unwrap().expect("a key");
    let key = DeviceKey::from_secret(&secret).unwrap();
    make_pass(&key.signing_key(), &claims)
}

fn code<T: std::fmt::Debug>(r: Result<T, lobby_core::LobbyError>) -> ErrorCode {
    r.expect_err("refused").code
}

#[tokio::test]
async fn a_pass_made_offline_is_verified_and_hands_over_and_the_custody_syncs_back() {
    let mut server = TestServer::start().await;
    let (phone, units, person_id) = owner(&server).await;
    let unit = &units[0].unit_id;
    let first = log(&server, unit, "คุณสมชาย ใจดี").await;
    let second = log(&server, unit, "Somchai").await;
    phone.lobby.sync().await.expect("sync");

    // The lobby has no signal: the pass is made with the server down.
    server.stop().await;
    let pass = phone
        .lobby
        .parcels()
        .pickup_pass(None)
        .expect("made offline");
    assert!(
        pass.key_registered,
        "the sign-in's first sync registered the key"
    );
    assert_eq!(&pass.unit_id, unit);
    assert!(pass.valid_until > Utc::now() + Duration::seconds(59));
    assert!(pass.valid_until <= Utc::now() + Duration::seconds(90));
    let png = phone.lobby.parcels().pickup_qr_png(&pass).expect("png");
    assert_eq!(
        lobby_core::qr::read_png_or_jpeg(&png).unwrap(),
        pass.payload
    );
    server.restart().await;

    let verified = server
        .admin
        .verify_pickup(&pass.payload)
        .await
        .expect("verified");
    assert_eq!(verified.person_id, person_id);
    assert_eq!(&verified.unit_id, unit);
    assert_eq!(verified.unit_number, "12/345");
    let mut listed: Vec<_> = verified
        .parcels
        .iter()
        .map(|p| p.parcel_id.clone())
        .collect();
    listed.sort();
    let mut expected = vec![first.clone(), second.clone()];
    expected.sort();
    assert_eq!(listed, expected);

    let done = server
        .admin
        .hand_over(&qr(&pass.payload, &[&first]))
        .await
        .expect("handed over");
    assert_eq!(done.handed_over, vec![first.clone()]);
    assert_eq!(done.method, "qr");
    // Staff saw who holds the pass and what waits: audited by the holder's id, before the
    // handover.
    let project = phone.lobby.units().list().unwrap()[0].project_id.clone();
    let log = server.admin.audit(&project).await.expect("the audit log");
    let actions: Vec<(&str, &str)> = log
        .entries
        .iter()
        .map(|e| (e.action.as_str(), e.subject.as_str()))
        .filter(|(a, _)| a.starts_with("pickup."))
        .collect();
    assert_eq!(
        actions,
        [
            ("pickup.verify", person_id.as_str()),
            (
                "pickup.handover",
                log.entries.last().unwrap().subject.as_str()
            )
        ]
    );

    // The custody reaches the phone.
    phone.lobby.sync().await.expect("sync");
    let parcels = phone
        .lobby
        .parcels()
        .list(&ParcelFilter::default())
        .unwrap();
    let got = parcels.iter().find(|p| p.parcel_id == first).unwrap();
    assert_eq!(got.status, ParcelStatus::PickedUp);
    assert!(got.picked_up_at.is_some());
    let steps: Vec<_> = got.timeline.iter().map(|e| e.step).collect();
    assert_eq!(steps, vec![CustodyStep::Logged, CustodyStep::HandedOver]);
    assert!(got.timeline[0].staff.is_some(), "who logged it");
    let handover = &got.timeline[1];
    assert_eq!(handover.method.as_deref(), Some("qr"));
    assert_eq!(handover.collected_by.as_deref(), Some("สมชาย ใจดี"));
    assert!(handover.staff.is_some(), "which staff handed it over");
    let other = parcels.iter().find(|p| p.parcel_id == second).unwrap();
    assert_eq!(other.status, ParcelStatus::Waiting);

    // The same pass hands nothing over again, even inside its window.
    assert_eq!(
        code(server.admin.hand_over(&qr(&pass.payload, &[&second])).await),
        ErrorCode::PickupPassUsed
    );
    // A picked-up parcel is refused with its own code, with another live pass (the
    // step before: still inside the window).
    let claims = read_pass(&pass.payload).unwrap().claims;
    let fresh = pass_with(
        &phone,
        PassClaims {
            step: claims.step - 1,
            ..claims
        },
    );
    assert_ne!(fresh.payload, pass.payload);
    assert_eq!(
        code(
            server
                .admin
                .hand_over(&qr(&fresh.payload, &[&second, &first]))
                .await
        ),
        ErrorCode::AlreadyHandedOver
    );
    // All or none: the waiting one was not handed over either.
    let still = server.admin.verify_pickup(&fresh.payload).await.unwrap();
    assert_eq!(still.parcels.len(), 1);
}

#[tokio::test]
async fn any_changed_character_is_invalid_and_an_old_pass_is_expired() {
    let server = TestServer::start().await;
    let (phone, units, person_id) = owner(&server).await;
    log(&server, &units[0].unit_id, "สมชาย").await;
    let pass = phone.lobby.parcels().pickup_pass(None).unwrap();
    let prefix = "LOBBY:PICKUP:1:".len();
    // A sample of positions across every field (person, unit, key, step, signature).
    for i in (prefix..pass.payload.len()).step_by(7) {
        let mut chars: Vec<char> = pass.payload.chars().collect();
        chars[i] = if chars[i] == 'A' { 'B' } else { 'A' };
        let altered: String = chars.into_iter().collect();
        assert_eq!(
            code(server.admin.verify_pickup(&altered).await),
            ErrorCode::PickupPassInvalid,
            "character {i}"
        );
    }
    // A pass signed with this phone's real key, but three minutes old.
    let claims = read_pass(&pass.payload).unwrap().claims;
    assert_eq!(claims.person_id, Uuid::parse_str(&person_id).unwrap());
    let old = pass_with(
        &phone,
        PassClaims {
            step: step_at(Utc::now() - Duration::minutes(3)),
            ..claims
        },
    );
    assert_eq!(
        code(server.admin.verify_pickup(&old.payload).await),
        ErrorCode::PickupPassExpired
    );
    // A key nobody registered (made up on the spot) does not verify.
    let stranger = DeviceKey::generate();
    let forged = make_pass(
        &stranger.signing_key(),
        &PassClaims {
            key_id: stranger.key_id,
            ..read_pass(&pass.payload).unwrap().claims
        },
    );
    assert_eq!(
        code(server.admin.verify_pickup(&forged.payload).await),
        ErrorCode::PickupPassInvalid
    );
    // Nor does a stranger's signature under this phone's key id.
    let forged = make_pass(
        &stranger.signing_key(),
        &read_pass(&pass.payload).unwrap().claims,
    );
    assert_eq!(
        code(server.admin.verify_pickup(&forged.payload).await),
        ErrorCode::PickupPassInvalid
    );
}

#[tokio::test]
async fn a_pass_from_a_phone_that_signed_out_is_revoked() {
    let server = TestServer::start().await;
    let (phone, units, _) = owner(&server).await;
    log(&server, &units[0].unit_id, "สมชาย").await;
    let pass = phone.lobby.parcels().pickup_pass(None).unwrap();
    assert!(server.admin.verify_pickup(&pass.payload).await.is_ok());
    assert!(phone.lobby.auth().logout(false).await.expect("logout"));
    assert_eq!(
        code(server.admin.verify_pickup(&pass.payload).await),
        ErrorCode::PickupPassRevoked
    );
    // The key left the phone with the session.
    assert_eq!(phone.secrets.get(keys::DEVICE_KEY).unwrap(), None);
    assert_eq!(
        code(phone.lobby.parcels().pickup_pass(Some(&units[0].unit_id))),
        ErrorCode::Unauthorized
    );

    // Signing in again makes a new key; the new pass verifies, the old stays revoked.
    phone
        .lobby
        .auth()
        .login_password(OWNER_PHONE, OWNER_PASSWORD)
        .await
        .expect("signed in");
    let again = phone.lobby.parcels().pickup_pass(None).unwrap();
    assert_ne!(
        read_pass(&again.payload).unwrap().claims.key_id,
        read_pass(&pass.payload).unwrap().claims.key_id
    );
    assert!(server.admin.verify_pickup(&again.payload).await.is_ok());
    assert_eq!(
        code(server.admin.verify_pickup(&pass.payload).await),
        ErrorCode::PickupPassRevoked
    );
}

#[tokio::test]
async fn a_pass_from_a_removed_member_is_revoked() {
    let server = TestServer::start().await;
    let (owner, units, _) = owner(&server).await;
    log(&server, &units[0].unit_id, "ผู้เช่า").await;
    let made = owner.lobby.invites().create(Role::Tenant, None).unwrap();
    owner.lobby.sync().await.unwrap();
    let tenant = Phone::new(&server.url);
    tenant
        .lobby
        .invites()
        .accept(
            made.code.as_deref().unwrap(),
            TENANT_PHONE,
            Some("ผู้เช่า ทดสอบ"),
        )
        .await
        .expect("accepted");
    let otp = server.admin.peek_otp(TENANT_PHONE).await.unwrap().code;
    tenant
        .lobby
        .auth()
        .verify_login(&otp)
        .await
        .expect("signed in");
    let pass = tenant.lobby.parcels().pickup_pass(None).unwrap();
    let verified = server.admin.verify_pickup(&pass.payload).await.unwrap();
    assert_eq!(verified.person_name, "ผู้เช่า ทดสอบ");
    assert_eq!(verified.parcels.len(), 1);

    owner.lobby.sync().await.unwrap();
    let members = owner.lobby.invites().members(None).unwrap();
    owner
        .lobby
        .invites()
        .remove_member(&members[0].person_id, None)
        .unwrap();
    owner.lobby.sync().await.unwrap();
    assert_eq!(
        code(server.admin.verify_pickup(&pass.payload).await),
        ErrorCode::PickupPassRevoked
    );
    // The tenant's phone has not synced yet and still makes passes: refused all the same.
    let later = tenant.lobby.parcels().pickup_pass(Some(&units[0].unit_id));
    if let Ok(later) = later {
        assert_eq!(
            code(server.admin.verify_pickup(&later.payload).await),
            ErrorCode::PickupPassRevoked
        );
    }
}

#[tokio::test]
async fn a_pass_for_unit_a_never_lists_or_hands_over_unit_bs_parcels() {
    let server = TestServer::start().await;
    let (phone, units, _) = owner(&server).await;
    // The same owner also has unit B (12/346), and unit C belongs to someone else.
    phone
        .lobby
        .auth()
        .claim_onboarding(&units[1].onboarding_payload)
        .await
        .expect("second unit");
    let a = log(&server, &units[0].unit_id, "A").await;
    let b = log(&server, &units[1].unit_id, "B").await;
    let c = log(&server, &units[2].unit_id, "C").await;
    phone.lobby.sync().await.unwrap();

    let pass_a = phone
        .lobby
        .parcels()
        .pickup_pass(Some(&units[0].unit_id))
        .unwrap();
    let listed = server.admin.verify_pickup(&pass_a.payload).await.unwrap();
    assert_eq!(
        listed
            .parcels
            .iter()
            .map(|p| p.parcel_id.as_str())
            .collect::<Vec<_>>(),
        vec![a.as_str()]
    );
    for other in [&b, &c] {
        assert_eq!(
            code(
                server
                    .admin
                    .hand_over(&qr(&pass_a.payload, &[&a, other]))
                    .await
            ),
            ErrorCode::NotFound
        );
    }
    let pass_b = phone
        .lobby
        .parcels()
        .pickup_pass(Some(&units[1].unit_id))
        .unwrap();
    let listed = server.admin.verify_pickup(&pass_b.payload).await.unwrap();
    assert_eq!(
        listed
            .parcels
            .iter()
            .map(|p| p.parcel_id.as_str())
            .collect::<Vec<_>>(),
        vec![b.as_str()]
    );
    // A unit the person does not belong to: no pass at all on the phone.
    assert_eq!(
        code(phone.lobby.parcels().pickup_pass(Some(&units[2].unit_id))),
        ErrorCode::NotFound
    );
}

fn signature_png() -> Vec<u8> {
    let img = image::GrayImage::from_fn(200, 60, |x, y| {
        image::Luma([if (x + y) % 17 == 0 { 0 } else { 255 }])
    });
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

#[tokio::test]
async fn without_a_phone_parcels_are_handed_over_against_a_signature_and_can_be_returned() {
    let server = TestServer::start().await;
    let (phone, units, _) = owner(&server).await;
    let signed = log(&server, &units[0].unit_id, "สมชาย").await;
    let returned = log(&server, &units[0].unit_id, "ผิดห้อง").await;
    let b64 = |bytes: &[u8]| base64::engine::general_purpose::STANDARD.encode(bytes);
    let by_signature = |png: &[u8], who: Option<&str>| PickupHandover {
        payload: None,
        parcel_ids: vec![signed.clone()],
        signature_png: Some(b64(png)),
        collected_by: who.map(str::to_string),
    };
    // A JPEG, a truncated PNG, no name: refused.
    let mut jpeg = std::io::Cursor::new(Vec::new());
    image::GrayImage::new(20, 20)
        .write_to(&mut jpeg, image::ImageFormat::Jpeg)
        .unwrap();
    let png = signature_png();
    for (bad, who) in [
        (jpeg.into_inner(), Some("สมหญิง")),
        (png[..png.len() / 2].to_vec(), Some("สมหญิง")),
        (png.clone(), None),
    ] {
        assert_eq!(
            code(server.admin.hand_over(&by_signature(&bad, who)).await),
            ErrorCode::InvalidInput
        );
    }
    let done = server
        .admin
        .hand_over(&by_signature(&png, Some("สมหญิง ภรรยา")))
        .await
        .expect("signed for");
    assert_eq!(done.method, "signature");
    // The picture is kept as proof.
    let kept: Vec<u8> = server
        .db()
        .query_row(
            "SELECT signature_png FROM parcel_handovers WHERE method = 'signature'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(kept, png);

    let back = server
        .admin
        .return_parcel(&returned)
        .await
        .expect("returned");
    assert_eq!(back.parcel_id, returned);
    assert_eq!(
        code(server.admin.return_parcel(&returned).await),
        ErrorCode::AlreadyHandedOver
    );
    assert_eq!(
        code(
            server
                .admin
                .hand_over(&by_signature(&png, Some("ใครก็ได้")))
                .await
        ),
        ErrorCode::AlreadyHandedOver
    );

    phone.lobby.sync().await.unwrap();
    let parcels = phone
        .lobby
        .parcels()
        .list(&ParcelFilter::default())
        .unwrap();
    let s = parcels.iter().find(|p| p.parcel_id == signed).unwrap();
    assert_eq!(s.status, ParcelStatus::PickedUp);
    assert_eq!(s.timeline[1].method.as_deref(), Some("signature"));
    assert_eq!(s.timeline[1].collected_by.as_deref(), Some("สมหญิง ภรรยา"));
    let r = parcels.iter().find(|p| p.parcel_id == returned).unwrap();
    assert_eq!(r.status, ParcelStatus::Returned);
    assert_eq!(
        r.timeline.iter().map(|e| e.step).collect::<Vec<_>>(),
        vec![CustodyStep::Logged, CustodyStep::Returned]
    );
}

#[tokio::test]
async fn signing_out_everywhere_from_another_phone_revokes_this_phones_passes() {
    let server = TestServer::start().await;
    let (phone, units, _) = owner(&server).await;
    log(&server, &units[0].unit_id, "สมชาย").await;
    let other = Phone::new(&server.url);
    other
        .lobby
        .auth()
        .login_password(OWNER_PHONE, OWNER_PASSWORD)
        .await
        .expect("second phone");
    let pass = phone.lobby.parcels().pickup_pass(None).unwrap();
    let theirs = other.lobby.parcels().pickup_pass(None).unwrap();
    assert!(server.admin.verify_pickup(&pass.payload).await.is_ok());
    assert!(server.admin.verify_pickup(&theirs.payload).await.is_ok());
    assert!(other
        .lobby
        .auth()
        .logout(true)
        .await
        .expect("logout everywhere"));
    for p in [&pass, &theirs] {
        assert_eq!(
            code(server.admin.verify_pickup(&p.payload).await),
            ErrorCode::PickupPassRevoked
        );
    }
}
