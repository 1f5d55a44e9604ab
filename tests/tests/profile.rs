//! The login e-mail from the phone (issue 7): changed only through a code sent to the
//! new address, confirmed by the server, synced into the profile.

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
