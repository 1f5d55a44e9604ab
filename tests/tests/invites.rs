//! Invitation codes, core ⇄ real server over loopback (DESIGN.md §2.3, issue 3).

use lobby_core::domain::invites::invite_qr_payload;
use lobby_core::protocol::Role;
use lobby_core::{ErrorCode, LocalInviteStatus};
use lobby_e2e::{Phone, TestServer, OWNER_PHONE};

const TENANT_PHONE: &str = "086-555-0101";

async fn owner(server: &TestServer) -> (Phone, Vec<lobby_core::protocol::admin::ImportedUnit>) {
    let units = server.import_demo_registry().await;
    let phone = Phone::new(&server.url);
    phone.onboard(server, &units[0], OWNER_PHONE).await;
    (phone, units)
}

/// The invitee's whole side: code + phone, then the OTP.
async fn accept(server: &TestServer, code: &str, phone_number: &str) -> Phone {
    let phone = Phone::new(&server.url);
    phone
        .lobby
        .invites()
        .accept(code, phone_number, Some("ผู้เช่า ทดสอบ"))
        .await
        .expect("code accepted");
    let otp = server.admin.peek_otp(phone_number).await.expect("otp").code;
    phone
        .lobby
        .auth()
        .verify_login(&otp)
        .await
        .expect("otp verified");
    phone
}

#[tokio::test]
async fn owner_invites_a_tenant_who_joins_and_is_later_removed_and_loses_the_unit() {
    let server = TestServer::start().await;
    let (owner, units) = owner(&server).await;
    let made = owner.lobby.invites().create(Role::Tenant, None).unwrap();
    assert_eq!(made.row.status, LocalInviteStatus::Queued);
    owner.lobby.sync().await.unwrap();
    let listed = owner.lobby.invites().list(None).unwrap();
    assert_eq!(listed[0].row.status, LocalInviteStatus::Pending);
    let code = made.code.clone().unwrap();

    let tenant = accept(&server, &code, TENANT_PHONE).await;
    let tenant_units = tenant.lobby.units().list().unwrap();
    assert_eq!(tenant_units.len(), 1);
    assert_eq!(tenant_units[0].unit_id, units[0].unit_id);
    assert_eq!(tenant_units[0].role, Role::Tenant);

    owner.lobby.sync().await.unwrap();
    let members = owner.lobby.invites().members(None).unwrap();
    assert_eq!(members.len(), 1);
    assert_eq!(members[0].role, Role::Tenant);
    assert_eq!(
        owner.lobby.invites().list(None).unwrap()[0].row.status,
        LocalInviteStatus::Accepted
    );
    // A used code is forgotten by the owner's phone.
    assert_eq!(owner.lobby.invites().list(None).unwrap()[0].code, None);

    owner
        .lobby
        .invites()
        .remove_member(&members[0].person_id, None)
        .unwrap();
    let r = owner.lobby.sync().await.unwrap();
    assert_eq!(r.pending, 0);
    assert!(owner.lobby.invites().members(None).unwrap().is_empty());
    tenant.lobby.sync().await.unwrap();
    assert!(
        tenant.lobby.units().list().unwrap().is_empty(),
        "the removed tenant's phone still shows the unit"
    );
    assert_eq!(tenant.lobby.units().current().unwrap(), None);
}

#[tokio::test]
async fn sixth_invitation_is_refused_on_the_phone_with_cap_reached() {
    let server = TestServer::start().await;
    let (owner, _) = owner(&server).await;
    for _ in 0..5 {
        owner.lobby.invites().create(Role::Resident, None).unwrap();
    }
    let e = owner
        .lobby
        .invites()
        .create(Role::Tenant, None)
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::InviteCapReached);
    assert!(e.message.contains('5'), "{}", e.message);
    owner.lobby.sync().await.unwrap();
    let pending = owner
        .lobby
        .invites()
        .list(None)
        .unwrap()
        .into_iter()
        .filter(|i| i.row.status == LocalInviteStatus::Pending)
        .count();
    assert_eq!(pending, 5);
    // Revoking one frees a slot.
    let first = owner.lobby.invites().list(None).unwrap()[0]
        .code
        .clone()
        .unwrap();
    owner.lobby.invites().revoke(&first).unwrap();
    owner.lobby.sync().await.unwrap();
    assert!(owner.lobby.invites().create(Role::Tenant, None).is_ok());
}

#[tokio::test]
async fn two_devices_of_one_owner_racing_never_exceed_five_and_each_hears_of_its_refusals() {
    let server = TestServer::start().await;
    let (first, _) = owner(&server).await;
    let second = Phone::new(&server.url);
    second
        .lobby
        .auth()
        .login_password(OWNER_PHONE, lobby_e2e::OWNER_PASSWORD)
        .await
        .unwrap();
    // Both make 4 codes offline (each phone's own check allows 4), then sync together.
    for phone in [&first, &second] {
        phone.lobby.set_server_url("http://127.0.0.1:9").unwrap();
        for _ in 0..4 {
            phone.lobby.invites().create(Role::Resident, None).unwrap();
        }
        phone.lobby.set_server_url(&server.url).unwrap();
    }
    let (a, b) = tokio::join!(first.lobby.sync(), second.lobby.sync());
    let (a, b) = (a.unwrap(), b.unwrap());
    assert_eq!(a.rejected + b.rejected, 3, "{a:?} {b:?}");
    let pending: i64 = server
        .db()
        .query_row(
            "SELECT COUNT(*) FROM invites WHERE status = 'pending'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(pending, 5);
    for (phone, report) in [(&first, &a), (&second, &b)] {
        let refused: Vec<_> = phone
            .lobby
            .invites()
            .list(None)
            .unwrap()
            .into_iter()
            .filter(|i| i.row.status == LocalInviteStatus::Rejected)
            .collect();
        assert_eq!(refused.len() as u64, report.rejected);
        assert!(refused
            .iter()
            .all(|i| i.row.reason.as_deref() == Some("invite_cap_reached") && i.code.is_none()));
    }
}

#[tokio::test]
async fn an_invitation_made_offline_is_queued_then_confirmed() {
    let mut server = TestServer::start().await;
    let (owner, _) = owner(&server).await;
    server.stop().await;
    let made = owner.lobby.invites().create(Role::Resident, None).unwrap();
    let r = owner.lobby.sync().await.unwrap();
    assert_eq!(r.pending, 1);
    assert_eq!(
        owner.lobby.invites().list(None).unwrap()[0].row.status,
        LocalInviteStatus::Queued
    );
    server.restart().await;
    owner.lobby.sync().await.unwrap();
    let now = &owner.lobby.invites().list(None).unwrap()[0];
    assert_eq!(now.row.invite_id, made.row.invite_id);
    assert_eq!(now.row.status, LocalInviteStatus::Pending);
    assert_eq!(now.code, made.code);
}

#[tokio::test]
async fn revoked_used_and_malformed_codes_get_their_own_codes() {
    let server = TestServer::start().await;
    let (owner, _) = owner(&server).await;
    let revoked = owner
        .lobby
        .invites()
        .create(Role::Tenant, None)
        .unwrap()
        .code
        .unwrap();
    let used = owner
        .lobby
        .invites()
        .create(Role::Tenant, None)
        .unwrap()
        .code
        .unwrap();
    owner.lobby.sync().await.unwrap();
    owner.lobby.invites().revoke(&revoked).unwrap();
    owner.lobby.sync().await.unwrap();
    accept(&server, &used, TENANT_PHONE).await;

    let stranger = Phone::new(&server.url);
    let e = stranger
        .lobby
        .invites()
        .accept(&revoked, "086-555-0202", None)
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::InviteRevoked);
    let e = stranger
        .lobby
        .invites()
        .accept(&used, "086-555-0202", None)
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::InviteUsed);
    let e = stranger
        .lobby
        .invites()
        .accept("not-a-code", "086-555-0202", None)
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::InviteInvalid);
}

#[tokio::test]
async fn twenty_wrong_guesses_are_rate_limited_well_before_the_twentieth() {
    let server = TestServer::start().await;
    owner(&server).await;
    let guesser = Phone::new(&server.url);
    let mut limited_at = None;
    for i in 0..20 {
        let guess = format!("{:0>10}", i);
        match guesser
            .lobby
            .invites()
            .accept(&guess, "086-555-0303", None)
            .await
        {
            Err(e) if e.code == ErrorCode::RateLimited => {
                limited_at = Some(i + 1);
                break;
            }
            Err(e) => assert_eq!(e.code, ErrorCode::InviteInvalid),
            Ok(_) => panic!("a guessed code was accepted"),
        }
    }
    let n = limited_at.expect("20 wrong guesses were never rate limited");
    assert!(n <= 10, "rate limited only at guess {n}");
}

#[tokio::test]
async fn residents_and_tenants_cannot_invite_or_remove_members() {
    let server = TestServer::start().await;
    let (owner, _) = owner(&server).await;
    let code = owner
        .lobby
        .invites()
        .create(Role::Resident, None)
        .unwrap()
        .code
        .unwrap();
    owner.lobby.sync().await.unwrap();
    let resident = accept(&server, &code, TENANT_PHONE).await;
    assert_eq!(
        resident
            .lobby
            .invites()
            .create(Role::Tenant, None)
            .unwrap_err()
            .code,
        ErrorCode::Forbidden
    );
    let me = resident.lobby.profile().get().unwrap().unwrap().person_id;
    assert_eq!(
        resident
            .lobby
            .invites()
            .remove_member(&me, None)
            .unwrap_err()
            .code,
        ErrorCode::Forbidden
    );
    // And they can still edit their own profile.
    resident
        .lobby
        .profile()
        .set_display_name("ผู้พักอาศัย")
        .unwrap();
    assert_eq!(resident.lobby.sync().await.unwrap().rejected, 0);
}

#[tokio::test]
async fn the_invitation_qr_is_accepted_from_a_photo() {
    let server = TestServer::start().await;
    let (owner, units) = owner(&server).await;
    let code = owner
        .lobby
        .invites()
        .create(Role::Tenant, None)
        .unwrap()
        .code
        .unwrap();
    owner.lobby.sync().await.unwrap();
    let png = lobby_core::qr::render_png(&invite_qr_payload(&code)).unwrap();
    let tenant = Phone::new(&server.url);
    tenant
        .lobby
        .invites()
        .accept_image(&png, TENANT_PHONE, None)
        .await
        .unwrap();
    let otp = server.admin.peek_otp(TENANT_PHONE).await.unwrap().code;
    let signed = tenant.lobby.auth().verify_login(&otp).await.unwrap();
    assert_eq!(signed.units[0].unit_id, units[0].unit_id);
}
