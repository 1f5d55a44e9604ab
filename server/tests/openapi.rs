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

#[test]
fn the_description_lists_what_the_server_answers() {
    let doc: serde_json::Value =
        serde_json::from_str(&lobby_server::openapi::document_json()).unwrap();
    // A mutation is taken in its object form only, with no key beside its kind.
    let variants = doc["components"]["schemas"]["Mutation"]["oneOf"]
        .as_array()
        .unwrap();
    assert!(!variants.is_empty());
    for v in variants {
        assert_eq!(v["additionalProperties"], false, "{v}");
    }
    // The server's bound on the scopes of one pull.
    assert_eq!(
        doc["components"]["schemas"]["PullRequest"]["properties"]["cursors"]["maxProperties"],
        10_000
    );
    // Logout takes an empty body.
    assert_ne!(
        doc["paths"]["/v1/auth/logout"]["post"]["requestBody"]["required"],
        true
    );
    // Every operation with a body or a query answers 400 to a missing or malformed one;
    // every operation with a security requirement lists 401.
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let responses = &op["responses"];
            let has_input = op.get("requestBody").is_some()
                || op["parameters"]
                    .as_array()
                    .is_some_and(|p| p.iter().any(|p| p["in"] == "query"));
            if has_input {
                assert!(responses.get("400").is_some(), "{method} {path}: no 400");
            }
            let bearer = op["security"]
                .as_array()
                .is_some_and(|s| s.iter().any(|s| s.get("bearer").is_some()));
            if bearer {
                assert!(responses.get("401").is_some(), "{method} {path}: no 401");
            }
        }
    }
}
