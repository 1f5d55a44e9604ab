//! A phone core on a machine with no CA certificates at all (a Linux root without
//! `ca-certificates`, a bare container): its HTTP client still builds — for the loopback
//! development server without any roots, for an `https://` server on the bundled ones —
//! where reqwest's own default client does not (issue 21, "Phones' networks").
//!
//! The system's roots are taken away for this process only, through the variables
//! rustls-native-certs honours — set here, in the process: `cargo test` itself (through
//! openssl-probe) replaces `SSL_CERT_FILE` / `SSL_CERT_DIR` values that name nothing with
//! the machine's real paths before starting a test binary. One test in this file: the
//! variables are set before any client exists, and the core loads the roots once per
//! process.

use lobby_core::ErrorCode;
use lobby_e2e::{Phone, OWNER_PASSWORD, OWNER_PHONE};
use lobby_server::ServerConfig;

#[tokio::test]
async fn without_any_system_roots_a_phone_still_talks_to_its_server() {
    std::env::set_var("SSL_CERT_FILE", "/nonexistent/lobby-no-roots.pem");
    std::env::set_var("SSL_CERT_DIR", "/nonexistent/lobby-no-roots");
    // The control: this is a machine without roots for reqwest's default set-up.
    let default_client = reqwest::Client::builder().build();
    assert!(
        default_client.is_err(),
        "the system's roots are still visible: the test proves nothing"
    );

    // A real server on loopback (started directly: the e2e helpers' staff client is a
    // default reqwest client, which cannot be built here).
    let dir = tempfile::tempdir().expect("tempdir");
    let server = lobby_server::start(ServerConfig {
        db_path: dir.path().join("server.db"),
        addr: ([127, 0, 0, 1], 0).into(),
        dev: true,
        otp_webhook: None,
        key_file: None,
        limits: Default::default(),
    })
    .await
    .expect("server starts");

    // Opening checks the server's address by building the client: no roots needed.
    let phone = Phone::new(&server.url);
    // And the client works: the server answers (an OTP challenge for any number; a wrong
    // password is refused by the server — not `offline`, not `tls_unavailable`).
    phone
        .lobby
        .auth()
        .login_otp(OWNER_PHONE)
        .await
        .expect("the server answers over loopback");
    let e = phone
        .lobby
        .auth()
        .login_password(OWNER_PHONE, OWNER_PASSWORD)
        .await
        .expect_err("nobody has signed up");
    assert_eq!(e.code, ErrorCode::InvalidCredentials, "{e}");

    // An https:// server: the client builds on the bundled roots.
    phone
        .lobby
        .set_server_url("https://lobby.example.com")
        .expect("an https client without system roots");
    assert_eq!(
        phone.lobby.server_url().unwrap().as_deref(),
        Some("https://lobby.example.com")
    );

    server.shutdown().await.expect("clean shutdown");
}
