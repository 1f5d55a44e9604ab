//! Devices and sessions (issue 11): `GET /v1/me/sessions` lists the person's sign-ins
//! with the label each device gave at sign-in (header `Lobby-Device`), its last refresh
//! and which one is the caller's; signing out removes them; a bad label is an unknown
//! device and never stops a sign-in. A real server over HTTP.

mod common;

use chrono::{DateTime, Utc};
use common::*;
use lobby_model::domain::device_label::encode_header;
use lobby_model::domain::invites::generate_invite_code;
use reqwest::StatusCode;
use serde_json::{json, Value};
use uuid::Uuid;

const SOMCHAI: &str = "081-234-5678";
const JANE: &str = "0899999999";
const PIXEL: &str = "Pixel 8 · Android 15";
const IPHONE: &str = "iPhone ของสมชาย";

/// POSTs a sign-in (or anything) with the device's label as the core sends it.
async fn post_from(t: &TestServer, device: Option<&str>, path: &str, body: Value) -> Value {
    let mut req = t.http.post(format!("{}{path}", t.url)).json(&body);
    if let Some(label) = device {
        req = req.header("Lobby-Device", encode_header(label));
    }
    let resp = req.send().await.expect("request sent");
    let status = resp.status();
    let v: Value = resp.json().await.expect("a JSON answer");
    assert_eq!(status, StatusCode::OK, "{path}: {v}");
    v
}

/// Onboarding (start → peek → verify) of `payload` from `device`; the session grant.
async fn onboard_from(t: &TestServer, device: Option<&str>, payload: &str, phone: &str) -> Value {
    let sent = t
        .post_ok(
            "/v1/onboarding/start",
            json!({"payload": payload, "phone": phone, "password": PASSWORD}),
            None,
        )
        .await;
    let code = t.admin.peek_otp(phone).await.expect("peek").code;
    let body = json!({"request_id": sent["request_id"], "code": code});
    post_from(t, device, "/v1/onboarding/verify", body).await
}

async fn password_from(t: &TestServer, device: Option<&str>, to: &str) -> Value {
    let body = json!({"to": to, "password": PASSWORD});
    post_from(t, device, "/v1/auth/password", body).await
}

fn token(grant: &Value) -> &str {
    grant["access_token"].as_str().expect("an access token")
}

/// The caller's session list (which must be answered).
async fn sessions(t: &TestServer, grant: &Value) -> Vec<Value> {
    let (status, v) = t
        .request("GET", "/v1/me/sessions", None, Some(token(grant)))
        .await;
    assert_eq!(status, StatusCode::OK, "{v}");
    v["sessions"].as_array().expect("a list").clone()
}

fn at(v: &Value) -> DateTime<Utc> {
    v.as_str()
        .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
        .map(|t| t.with_timezone(&Utc))
        .expect("an RFC 3339 time")
}

/// The demo registry: Somchai owns units 0 and 1, Jane unit 2.
async fn registry(t: &TestServer) -> Vec<String> {
    let (_, imported) = t.project_with_owners(REGISTRY).await;
    imported
        .units
        .into_iter()
        .map(|u| u.onboarding_payload)
        .collect()
}

#[tokio::test]
async fn two_devices_are_listed_with_their_labels_and_each_sees_itself_as_current() {
    let t = dev_server().await;
    let payloads = registry(&t).await;
    let pixel = onboard_from(&t, Some(PIXEL), &payloads[0], SOMCHAI).await;
    let iphone = password_from(&t, Some(IPHONE), SOMCHAI).await;

    for (caller, label) in [(&pixel, PIXEL), (&iphone, IPHONE)] {
        let listed = sessions(&t, caller).await;
        assert_eq!(listed.len(), 2, "{listed:?}");
        let mut labels: Vec<&str> = listed.iter().filter_map(|s| s["device"].as_str()).collect();
        labels.sort();
        assert_eq!(labels, [PIXEL, IPHONE]);
        let current: Vec<&Value> = listed.iter().filter(|s| s["current"] == true).collect();
        assert_eq!(current.len(), 1);
        assert_eq!(current[0]["device"], label);
        for s in &listed {
            assert!(at(&s["signed_in_at"]) <= at(&s["last_seen"]));
            let mut keys: Vec<&str> = s.as_object().unwrap().keys().map(String::as_str).collect();
            keys.sort();
            assert_eq!(
                keys,
                [
                    "current",
                    "device",
                    "last_seen",
                    "session_id",
                    "signed_in_at"
                ]
            );
        }
        // The most recently seen first: the iPhone signed in last.
        assert_eq!(listed[0]["device"], IPHONE);
    }
    // The label is kept on the sign-in's row, never in plain sight of a token.
    let stored: Vec<Option<String>> = {
        let db = t.db();
        let mut stmt = db
            .prepare("SELECT device FROM sessions ORDER BY created_at")
            .unwrap();
        let rows = stmt.query_map([], |r| r.get(0)).unwrap();
        rows.map(Result::unwrap).collect()
    };
    assert_eq!(stored, [Some(PIXEL.to_string()), Some(IPHONE.to_string())]);
    t.shutdown().await;
}

#[tokio::test]
async fn a_refresh_keeps_one_entry_with_the_same_id_label_and_a_later_last_seen() {
    let t = dev_server().await;
    let payloads = registry(&t).await;
    let first = onboard_from(&t, Some(PIXEL), &payloads[0], SOMCHAI).await;
    let before = sessions(&t, &first).await;
    assert_eq!(before.len(), 1);
    // A refresh with another label (or none) does not relabel the sign-in.
    let refreshed = post_from(
        &t,
        Some("something else"),
        "/v1/auth/refresh",
        json!({"refresh_token": first["refresh_token"]}),
    )
    .await;
    let after = sessions(&t, &refreshed).await;
    assert_eq!(after.len(), 1, "{after:?}");
    assert_eq!(after[0]["session_id"], before[0]["session_id"]);
    assert_eq!(after[0]["device"], PIXEL);
    assert_eq!(after[0]["current"], true);
    assert_eq!(after[0]["signed_in_at"], before[0]["signed_in_at"]);
    assert!(at(&after[0]["last_seen"]) >= at(&before[0]["last_seen"]));
    assert_eq!(
        t.count("SELECT COUNT(*) FROM sessions"),
        2,
        "two rows, one family"
    );
    t.shutdown().await;
}

#[tokio::test]
async fn a_signed_out_device_disappears_and_everywhere_leaves_none() {
    let t = dev_server().await;
    let payloads = registry(&t).await;
    let pixel = onboard_from(&t, Some(PIXEL), &payloads[0], SOMCHAI).await;
    let iphone = password_from(&t, Some(IPHONE), SOMCHAI).await;
    let laptop = password_from(&t, Some("lobby CLI on linux"), SOMCHAI).await;

    t.post_ok("/v1/auth/logout", json!({}), Some(token(&iphone)))
        .await;
    let listed = sessions(&t, &pixel).await;
    let labels: Vec<&str> = listed.iter().filter_map(|s| s["device"].as_str()).collect();
    assert_eq!(labels, ["lobby CLI on linux", PIXEL]);

    t.post_ok(
        "/v1/auth/logout",
        json!({"everywhere": true}),
        Some(token(&pixel)),
    )
    .await;
    // The other device's next request is refused, and so is its refresh.
    let (status, v) = t
        .request("GET", "/v1/me/sessions", None, Some(token(&laptop)))
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(code_of(&v), "unauthorized");
    let (status, _) = t
        .post(
            "/v1/auth/refresh",
            json!({"refresh_token": laptop["refresh_token"]}),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    // Signing in again: only the new sign-in is listed.
    let again = password_from(&t, Some(PIXEL), SOMCHAI).await;
    let listed = sessions(&t, &again).await;
    assert_eq!(listed.len(), 1, "{listed:?}");
    assert_eq!(listed[0]["current"], true);
    t.shutdown().await;
}

#[tokio::test]
async fn another_persons_sessions_never_appear() {
    let t = dev_server().await;
    let payloads = registry(&t).await;
    let somchai = onboard_from(&t, Some(PIXEL), &payloads[0], SOMCHAI).await;
    t.age_otp_sends(61);
    let jane = onboard_from(&t, Some("Jane's tablet"), &payloads[2], JANE).await;
    let mine = sessions(&t, &somchai).await;
    let hers = sessions(&t, &jane).await;
    assert_eq!(mine.len(), 1);
    assert_eq!(hers.len(), 1);
    assert_eq!(mine[0]["device"], PIXEL);
    assert_eq!(hers[0]["device"], "Jane's tablet");
    assert_ne!(mine[0]["session_id"], hers[0]["session_id"]);
    let (status, _) = t.request("GET", "/v1/me/sessions", None, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    t.shutdown().await;
}

#[tokio::test]
async fn a_bad_or_missing_label_is_an_unknown_device_and_the_sign_in_works() {
    let t = dev_server().await;
    let payloads = registry(&t).await;
    let first = onboard_from(&t, Some("\u{202E}8 lexiP"), &payloads[0], SOMCHAI).await;
    let too_long = "a".repeat(65);
    password_from(&t, Some(&too_long), SOMCHAI).await;
    password_from(&t, None, SOMCHAI).await;
    // A value that is not even percent-encoding.
    let resp = t
        .http
        .post(format!("{}/v1/auth/password", t.url))
        .header("Lobby-Device", "100%")
        .json(&json!({"to": SOMCHAI, "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    // At the limit, and plain UTF-8 (not encoded), is kept.
    let at_limit = "ก".repeat(64);
    let resp = t
        .http
        .post(format!("{}/v1/auth/password", t.url))
        .header("Lobby-Device", at_limit.as_str())
        .json(&json!({"to": SOMCHAI, "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);

    let listed = sessions(&t, &first).await;
    assert_eq!(listed.len(), 5);
    let unknown = listed.iter().filter(|s| s["device"].is_null()).count();
    assert_eq!(unknown, 4, "{listed:?}");
    assert_eq!(listed[0]["device"], at_limit.as_str());
    assert_eq!(
        t.count("SELECT COUNT(*) FROM sessions WHERE device IS NULL"),
        4
    );
    t.shutdown().await;
}

#[tokio::test]
async fn otp_login_and_an_invitation_keep_their_labels_too() {
    let t = dev_server().await;
    let payloads = registry(&t).await;
    let owner = onboard_from(&t, Some(PIXEL), &payloads[0], SOMCHAI).await;
    t.age_otp_sends(61);

    // OTP login.
    let sent = t
        .post_ok("/v1/auth/otp", json!({"to": SOMCHAI}), None)
        .await;
    let code = t.admin.peek_otp(SOMCHAI).await.unwrap().code;
    let body = json!({"request_id": sent["request_id"], "code": code});
    post_from(&t, Some(IPHONE), "/v1/auth/otp/verify", body).await;
    let labels: Vec<String> = sessions(&t, &owner)
        .await
        .iter()
        .filter_map(|s| s["device"].as_str().map(str::to_string))
        .collect();
    assert_eq!(labels, [IPHONE, PIXEL]);

    // An invitation accepted with its code: the tenant's first sign-in.
    let invite_code = generate_invite_code();
    let unit = t
        .db()
        .query_row("SELECT id FROM units WHERE number = '12/345'", [], |r| {
            r.get::<_, String>(0)
        })
        .unwrap();
    let pushed = t
        .post_ok(
            "/v1/sync/push",
            json!({"mutations": [{"id": Uuid::now_v7(), "created_at": Utc::now(),
                "mutation": {"invite_create": {"invite_id": Uuid::now_v7(), "unit_id": unit,
                    "role": "tenant", "code": invite_code}}}]}),
            Some(token(&owner)),
        )
        .await;
    assert_eq!(pushed["results"][0]["outcome"]["status"], "applied");
    let tenant_phone = "0861234567";
    let sent = t
        .post_ok(
            "/v1/invites/accept",
            json!({"code": invite_code, "phone": tenant_phone, "name": "ผู้เช่า"}),
            None,
        )
        .await;
    let code = t.admin.peek_otp(tenant_phone).await.unwrap().code;
    let body = json!({"request_id": sent["request_id"], "code": code});
    let tenant = post_from(&t, Some("Redmi Note 13"), "/v1/auth/otp/verify", body).await;
    let theirs = sessions(&t, &tenant).await;
    assert_eq!(theirs.len(), 1);
    assert_eq!(theirs[0]["device"], "Redmi Note 13");
    assert_eq!(sessions(&t, &owner).await.len(), 2, "the owner's are hers");
    t.shutdown().await;
}
