//! The login e-mail (issue 7) and the phone number (issue 11, the person's correction of
//! a contact) from the phone: changed only through a code sent to the new contact after
//! a recent sign-in, confirmed by the server, synced into the profile.

use lobby_core::ErrorCode;
use lobby_e2e::{Phone, TestServer, OWNER_PHONE};

#[tokio::test]
async fn the_phone_changes_its_login_email_with_the_code_sent_to_the_new_address() {
    let server = TestServer::start().await;
    let units = server.import_demo_registry().await;
    let phone = Phone::new(&server.url);
    phone.onboard(&server, &units[0], OWNER_PHONE).await;
    let before = phone.lobby.profile().get().unwrap().unwrap().email;
    assert_eq!(before.as_deref(), Some("somchai@example.com"));

    // Bad input never leaves the phone.
    let bad = phone
        .lobby
        .profile()
        .request_email_change("not an address")
        .await;
    assert_eq!(bad.err().map(|e| e.code), Some(ErrorCode::EmailInvalid));
    // Nothing is waiting before a code was asked for.
    let early = phone.lobby.profile().confirm_email_change("123456").await;
    assert_eq!(early.err().map(|e| e.code), Some(ErrorCode::NoPendingOtp));

    let sent = phone
        .lobby
        .profile()
        .request_email_change("somchai.new@example.com")
        .await
        .expect("code sent");
    assert!(sent.sent_to.contains('@'));
    let code = server
        .admin
        .peek_otp("somchai.new@example.com")
        .await
        .unwrap()
        .code;
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let refused = phone.lobby.profile().confirm_email_change(wrong).await;
    assert_eq!(refused.err().map(|e| e.code), Some(ErrorCode::OtpInvalid));
    let changed = phone
        .lobby
        .profile()
        .confirm_email_change(&code)
        .await
        .expect("confirmed")
        .expect("a profile");
    assert_eq!(changed.email.as_deref(), Some("somchai.new@example.com"));

    // The new address signs in (a minute later: one code a minute per address).
    server.age_otp_sends(61);
    let other = Phone::new(&server.url);
    other
        .lobby
        .auth()
        .login_otp("somchai.new@example.com")
        .await
        .expect("code sent");
    let code = server
        .admin
        .peek_otp("somchai.new@example.com")
        .await
        .unwrap()
        .code;
    let signed = other.lobby.auth().verify_login(&code).await.expect("login");
    assert_eq!(signed.units.len(), 1);
}

#[tokio::test]
async fn an_email_typed_at_onboarding_is_confirmed_by_its_own_code() {
    // The onboarding code goes to the phone, so an address typed there is not proven:
    // the server keeps the registry's, and the phone asks for a code to the typed one.
    let server = TestServer::start().await;
    let units = server.import_demo_registry().await;
    let phone = Phone::new(&server.url);
    let auth = phone.lobby.auth();
    auth.start_onboarding(
        &units[0].onboarding_payload,
        Some(OWNER_PHONE),
        Some(lobby_e2e::OWNER_PASSWORD),
        Some("Somchai.Typed@Example.com"),
        None,
        &[],
    )
    .await
    .expect("start");
    let code = server.admin.peek_otp(OWNER_PHONE).await.unwrap().code;
    let signed = auth.verify_onboarding(&code).await.expect("verify");
    assert!(signed.email_code_sent_to.is_some(), "{signed:?}");
    let profile = phone.lobby.profile().get().unwrap().unwrap();
    assert_eq!(profile.email.as_deref(), Some("somchai@example.com"));
    let code = server
        .admin
        .peek_otp("somchai.typed@example.com")
        .await
        .unwrap()
        .code;
    let changed = phone
        .lobby
        .profile()
        .confirm_email_change(&code)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(changed.email.as_deref(), Some("somchai.typed@example.com"));

    // Typing the registry's own address asks for nothing more.
    let other = Phone::new(&server.url);
    let auth = other.lobby.auth();
    auth.start_onboarding(
        &units[2].onboarding_payload,
        Some("0891112222"),
        Some(lobby_e2e::OWNER_PASSWORD),
        Some("jane@example.com"),
        None,
        &[],
    )
    .await
    .expect("start");
    let code = server.admin.peek_otp("0891112222").await.unwrap().code;
    let signed = auth.verify_onboarding(&code).await.expect("verify");
    assert_eq!(signed.email_code_sent_to, None);
}

#[tokio::test]
async fn the_phone_number_is_corrected_with_the_code_sent_to_the_new_number() {
    let server = TestServer::start().await;
    let units = server.import_demo_registry().await;
    let phone = Phone::new(&server.url);
    phone.onboard(&server, &units[0], OWNER_PHONE).await;
    let profile = || phone.lobby.profile().get().unwrap().unwrap();
    assert_eq!(profile().phone.as_deref(), Some("+66812345678"));

    // Bad input never leaves the phone; nothing waits before a code was asked for.
    let bad = phone.lobby.profile().request_phone_change("12345").await;
    assert_eq!(bad.err().map(|e| e.code), Some(ErrorCode::PhoneInvalid));
    let early = phone.lobby.profile().confirm_phone_change("123456").await;
    assert_eq!(early.err().map(|e| e.code), Some(ErrorCode::NoPendingOtp));

    // An old sign-in (a phone left unlocked) cannot move the account elsewhere.
    server.age_sign_ins(11 * 60);
    let stale = phone
        .lobby
        .profile()
        .request_phone_change("0876543210")
        .await;
    assert_eq!(stale.err().map(|e| e.code), Some(ErrorCode::ReauthRequired));
    server.age_sign_ins(-11 * 60);

    let sent = phone
        .lobby
        .profile()
        .request_phone_change("087 654 3210")
        .await
        .expect("code sent");
    assert_eq!(sent.sent_to, "+66 8••••3210");
    // An e-mail code does not confirm it: the one code waiting is the phone's.
    let wrong_kind = phone.lobby.profile().confirm_email_change("123456").await;
    assert_eq!(
        wrong_kind.err().map(|e| e.code),
        Some(ErrorCode::NoPendingOtp)
    );
    let code = server.admin.peek_otp("0876543210").await.unwrap().code;
    let changed = phone
        .lobby
        .profile()
        .confirm_phone_change(&code)
        .await
        .expect("confirmed")
        .expect("a profile");
    assert_eq!(changed.phone.as_deref(), Some("+66876543210"));

    // A phone syncing from scratch holds the new number, and the old one nowhere.
    let other = Phone::new(&server.url);
    other
        .lobby
        .auth()
        .login_password("0876543210", lobby_e2e::OWNER_PASSWORD)
        .await
        .expect("the new number signs in");
    let cells = lobby_e2e::database_cells(other.store().connection());
    assert!(cells.iter().any(|c| c.contains("+66876543210")));
    for old in ["+66812345678", "0812345678", "081-234-5678"] {
        assert!(
            !cells.iter().any(|c| c.contains(old)),
            "{old} still on a fresh phone"
        );
    }
}
