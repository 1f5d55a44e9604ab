//! The committed OpenAPI description is exactly what the code generates.

#[test]
fn the_committed_openapi_json_matches_the_generated_document() {
    let generated = lobby_server::openapi::document_json();
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/openapi.json");
    if std::env::var_os("UPDATE_OPENAPI").is_some() {
        std::fs::write(path, &generated).expect("write openapi.json");
    }
    let committed = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        committed == generated,
        "server/openapi.json is stale; regenerate it with \
         `cargo run -p lobby-server -- openapi > server/openapi.json` (or UPDATE_OPENAPI=1 cargo test -p lobby-server --test openapi)"
    );
}

#[tokio::test]
async fn the_server_serves_the_same_document() {
    let dir = tempfile::tempdir().unwrap();
    let server = lobby_server::start(lobby_server::ServerConfig {
        db_path: dir.path().join("db"),
        addr: "127.0.0.1:0".parse().unwrap(),
        dev: false,
        otp_webhook: None,
        key_file: None,
        limits: Default::default(),
    })
    .await
    .unwrap();
    let served = reqwest::get(format!("{}/openapi.json", server.url))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(served, lobby_server::openapi::document_json());
    let doc: serde_json::Value = serde_json::from_str(&served).unwrap();
    for path in [
        "/v1/onboarding/preview",
        "/v1/onboarding/claim",
        "/v1/invites/accept",
        "/v1/sync/pull",
        "/v1/admin/projects/{project_id}/owners",
    ] {
        assert!(doc["paths"].get(path).is_some(), "{path}");
    }
    server.shutdown().await.unwrap();
}
