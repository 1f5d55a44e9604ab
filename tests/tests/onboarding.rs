//! Owner onboarding by QR, core ⇄ real server over loopback (DESIGN.md §2.1).

use chrono::{Duration, Utc};
use lobby_core::domain::onboarding::OnboardingPayload;
use lobby_core::ErrorCode;
use lobby_e2e::{Phone, TestServer, OWNER_PASSWORD, OWNER_PHONE};

async fn setup() -> (TestServer, Vec<lobby_core::protocol::admin::ImportedUnit>) {
    let server = TestServer::start().await;
    let units = server.import_demo_registry().await;
    (server, units)
}

fn count(server: &TestServer, sql: &str) -> i64 {
    server.db().query_row(sql, [], |r| r.get(0)).expect(sql)
}

#[tokio::test]
async fn owner_onboards_by_qr_photo_and_sees_the_unit_with_its_thai_name() {
    let (server, units) = setup().await;
    let phone = Phone::new(&server.url);
    let png = lobby_core::qr::render_png(&units[0].onboarding_payload).unwrap();
    let scanned = phone
        .lobby
        .auth()
        .scan_onboarding_image(&png)
        .await
        .unwrap();
    assert_eq!(scanned.preview.owner_name, "สมชาย ใจดี");
    assert_eq!(scanned.preview.unit_number, "12/345");
    assert!(scanned.new_account);
    let signed = phone.onboard(&server, &units[0], OWNER_PHONE).await;
    assert_eq!(signed.units.len(), 1);
    assert_eq!(signed.units[0].unit_number, "12/345");
    assert_eq!(
        phone.lobby.units().current().unwrap().unwrap().unit_id,
        units[0].unit_id
    );
    assert!(phone.lobby.auth().is_signed_in());
}

#[tokio::test]
async fn consumed_payload_is_refused_as_used() {
    let (server, units) = setup().await;
    let phone = Phone::new(&server.url);
    phone.onboard(&server, &units[0], OWNER_PHONE).await;
    let other = Phone::new(&server.url);
    let e = other
        .lobby
        .auth()
        .scan_onboarding(&units[0].onboarding_payload)
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::OnboardingTokenUsed);
}

#[tokio::test]
async fn tampered_payload_is_refused_as_invalid_before_the_network() {
    let (mut server, units) = setup().await;
    server.stop().await;
    let phone = Phone::new(&server.url);
    let p = &units[0].onboarding_payload;
    let tampered = format!("{}{}", &p[..20], if &p[20..21] == "A" { "B" } else { "A" }) + &p[21..];
    let e = phone
        .lobby
        .auth()
        .scan_onboarding(&tampered)
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::OnboardingTokenInvalid);
}

#[tokio::test]
async fn expired_payload_is_refused_as_expired_before_the_network() {
    let (mut server, units) = setup().await;
    server.stop().await;
    let mut p = OnboardingPayload::parse(&units[0].onboarding_payload).unwrap();
    p.expires_at = Utc::now() - Duration::minutes(1);
    let phone = Phone::new(&server.url);
    let e = phone
        .lobby
        .auth()
        .scan_onboarding(&p.encode())
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::OnboardingTokenExpired);
}

#[tokio::test]
async fn reissued_payload_voids_the_old_one_and_the_new_one_works() {
    let (server, units) = setup().await;
    let fresh = server
        .admin
        .reissue_onboarding(&units[0].unit_id)
        .await
        .unwrap();
    let phone = Phone::new(&server.url);
    let e = phone
        .lobby
        .auth()
        .scan_onboarding(&units[0].onboarding_payload)
        .await
        .unwrap_err();
    assert!(e.code.as_str().starts_with("onboarding_token_"), "{e}");
    let mut unit = units[0].clone();
    unit.onboarding_payload = fresh.onboarding_payload;
    assert_eq!(
        phone.onboard(&server, &unit, OWNER_PHONE).await.units.len(),
        1
    );
}

#[tokio::test]
async fn refused_onboarding_leaves_no_half_made_account() {
    let (server, units) = setup().await;
    let phone = Phone::new(&server.url);
    let people_before = count(&server, "SELECT COUNT(*) FROM memberships");
    // Weak password: refused by the phone.
    let e = phone
        .lobby
        .auth()
        .start_onboarding(
            &units[0].onboarding_payload,
            Some(OWNER_PHONE),
            Some("password"),
            None,
            None,
            &[],
        )
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::PasswordWeak);
    // Right start, wrong code five times: the code is void, nothing is created.
    phone
        .lobby
        .auth()
        .start_onboarding(
            &units[0].onboarding_payload,
            Some(OWNER_PHONE),
            Some(OWNER_PASSWORD),
            None,
            None,
            &[],
        )
        .await
        .unwrap();
    let code = server.admin.peek_otp(OWNER_PHONE).await.unwrap().code;
    let wrong = if code == "000000" { "111111" } else { "000000" };
    for _ in 0..5 {
        assert_eq!(
            phone
                .lobby
                .auth()
                .verify_onboarding(wrong)
                .await
                .unwrap_err()
                .code,
            ErrorCode::OtpInvalid
        );
    }
    assert_eq!(
        phone
            .lobby
            .auth()
            .verify_onboarding(&code)
            .await
            .unwrap_err()
            .code,
        ErrorCode::OtpLocked
    );
    assert_eq!(
        count(&server, "SELECT COUNT(*) FROM memberships"),
        people_before
    );
    assert!(!phone.lobby.auth().is_signed_in());
    // The QR itself is still good.
    let again = Phone::new(&server.url);
    assert!(again
        .lobby
        .auth()
        .scan_onboarding(&units[0].onboarding_payload)
        .await
        .is_ok());
}

#[tokio::test]
async fn owner_scanning_a_second_units_qr_gets_it_added_to_the_same_account() {
    let (server, units) = setup().await;
    let phone = Phone::new(&server.url);
    let first = phone.onboard(&server, &units[0], OWNER_PHONE).await;
    let scanned = phone
        .lobby
        .auth()
        .scan_onboarding(&units[1].onboarding_payload)
        .await
        .unwrap();
    assert!(!scanned.new_account);
    let second = phone
        .lobby
        .auth()
        .claim_onboarding(&units[1].onboarding_payload)
        .await
        .unwrap();
    assert_eq!(second.person_id, first.person_id);
    let numbers: Vec<_> = phone
        .lobby
        .units()
        .list()
        .unwrap()
        .into_iter()
        .map(|u| u.unit_number)
        .collect();
    assert_eq!(numbers.len(), 2);
    assert!(numbers.contains(&"12/345".to_string()) && numbers.contains(&"12/346".to_string()));
}

#[tokio::test]
async fn password_login_and_logout_wipe_the_phones_tokens() {
    let (server, units) = setup().await;
    let phone = Phone::new(&server.url);
    phone.onboard(&server, &units[0], OWNER_PHONE).await;
    assert!(phone.lobby.auth().logout(false).await.unwrap());
    assert!(!phone.lobby.auth().is_signed_in());
    assert!(phone.lobby.units().list().unwrap().is_empty());
    let e = phone
        .lobby
        .auth()
        .login_password(OWNER_PHONE, "Wrong-pass1")
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::InvalidCredentials);
    let e = phone
        .lobby
        .auth()
        .login_password("0899999999", OWNER_PASSWORD)
        .await
        .unwrap_err();
    assert_eq!(
        e.code,
        ErrorCode::InvalidCredentials,
        "unknown accounts answer like wrong passwords"
    );
    let back = phone
        .lobby
        .auth()
        .login_password("+66812345678", OWNER_PASSWORD)
        .await
        .unwrap();
    assert_eq!(back.units.len(), 1);
}

#[tokio::test]
async fn a_second_code_to_the_same_phone_within_a_minute_is_rate_limited() {
    let (server, units) = setup().await;
    let phone = Phone::new(&server.url);
    phone.onboard(&server, &units[0], OWNER_PHONE).await;
    phone.lobby.auth().logout(false).await.unwrap();
    let e = phone.lobby.auth().login_otp(OWNER_PHONE).await.unwrap_err();
    assert_eq!(e.code, ErrorCode::RateLimited);
}

#[tokio::test]
async fn login_code_to_an_unknown_phone_answers_like_a_known_one() {
    let (server, _units) = setup().await;
    let phone = Phone::new(&server.url);
    let sent = phone.lobby.auth().login_otp("089-999-9999").await.unwrap();
    assert_eq!(sent.sent_to, "+66 8••••9999");
    assert!(sent.expires_at > Utc::now());
    // No code exists to find: any guess is simply wrong.
    assert_eq!(
        phone
            .lobby
            .auth()
            .verify_login("123456")
            .await
            .unwrap_err()
            .code,
        ErrorCode::OtpInvalid
    );
}
