//! The person corrects their own phone number (issue 11, PDPA correction of contact
//! fields): a code to the new number, a fresh sign-in, the old number told, nobody
//! else's number, and the old number gone from the change log.

mod common;

use common::*;
use reqwest::StatusCode;
use serde_json::{json, Value};

const OLD: &str = "+66812345678";
const NEW: &str = "+66876543210";

fn token(grant: &Value) -> &str {
    grant["access_token"].as_str().unwrap()
}

/// Somchai (owner of 12/345 and 12/346), onboarded with the registry's number.
async fn somchai(t: &TestServer) -> Value {
    let (_, imported) = t.project_with_owners(REGISTRY).await;
    t.onboard(&imported.units[0].onboarding_payload, "081-234-5678")
        .await
}

/// Asks for a code to `phone` and enters it; the verify answer.
async fn change(t: &TestServer, grant: &Value, phone: &str) -> (StatusCode, Value) {
    let sent = t
        .post_ok("/v1/me/phone", json!({"phone": phone}), Some(token(grant)))
        .await;
    let to = lobby_model::domain::contact::normalize_thai_phone(phone).unwrap();
    let code = t.admin.peek_otp(&to).await.unwrap().code;
    t.post(
        "/v1/me/phone/verify",
        json!({"request_id": sent["request_id"], "code": code}),
        Some(token(grant)),
    )
    .await
}

#[tokio::test]
async fn a_verified_new_number_signs_in_the_old_is_told_and_forgotten() {
    let (url, inbox) = gateway().await;
    let t = server(true, Some(url)).await;
    let grant = somchai(&t).await;
    let (status, v) = change(&t, &grant, "087-654-3210").await;
    assert_eq!(status, StatusCode::OK, "{v}");

    // The profile pulled by the phone carries the new number, and no entry of the log
    // holds the old one any more (in any written form).
    let page = t
        .post_ok("/v1/sync/pull", json!({}), Some(token(&grant)))
        .await;
    let phones: Vec<&Value> = page["changes"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| c["record"]["profile"].get("phone"))
        .collect();
    assert_eq!(phones.last().and_then(|p| p.as_str()), Some(NEW));
    for form in [OLD, "0812345678", "081-234-5678"] {
        assert_eq!(
            t.count(&format!(
                "SELECT COUNT(*) FROM changes WHERE record LIKE '%{form}%'"
            )),
            0,
            "{form} still in the change log"
        );
    }
    // The old number was told, without a code.
    let got = wait_for(&inbox, 3).await;
    let notice = got
        .iter()
        .find(|m| m.get("notice").is_some())
        .expect("a notice to the old number");
    assert_eq!(notice["to"], OLD);
    assert_eq!(notice["notice"], "phone_changed");
    assert!(notice.get("code").is_none());

    // A code to the new number signs into the same account; the old number knows none.
    t.age_otp_sends(61);
    let signed_in = t.sign_in_by_otp(NEW).await;
    assert_eq!(signed_in["person_id"], grant["person_id"]);
    assert_eq!(
        t.count(&format!(
            "SELECT COUNT(*) FROM people WHERE phone = '{OLD}'"
        )),
        0
    );
    t.shutdown().await;
}

#[tokio::test]
async fn a_number_another_account_or_the_registry_holds_is_refused_even_with_its_code() {
    let t = dev_server().await;
    let somchai = somchai(&t).await;
    t.age_otp_sends(61);
    // Jane (B-1203) has not onboarded: her registry number is still hers.
    let (status, v) = change(&t, &somchai, "0899999999").await;
    assert_eq!(status, StatusCode::CONFLICT, "{v}");
    assert!(
        v["error"]["message"].as_str().unwrap().contains("registry"),
        "{v}"
    );
    assert_eq!(
        t.count(&format!(
            "SELECT COUNT(*) FROM people WHERE phone = '{OLD}'"
        )),
        1,
        "nothing changed"
    );
    t.shutdown().await;
}

#[tokio::test]
async fn asking_needs_a_fresh_sign_in() {
    let t = dev_server().await;
    let grant = somchai(&t).await;
    t.db_write("UPDATE sessions SET created_at = created_at - 11 * 60 * 1000");
    for path in ["/v1/me/phone", "/v1/me/email"] {
        let body = if path.ends_with("phone") {
            json!({"phone": "0876543210"})
        } else {
            json!({"email": "new@example.com"})
        };
        let (status, v) = t.post(path, body, Some(token(&grant))).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{path}: {v}");
        assert_eq!(code_of(&v), "reauth_required", "{path}");
    }
    assert!(t.admin.peek_otp(NEW).await.is_err(), "no code was sent");
    t.shutdown().await;
}

#[tokio::test]
async fn bad_numbers_and_codes_are_refused() {
    let t = dev_server().await;
    let grant = somchai(&t).await;
    for bad in ["12345", "not a phone", "+1 202 555 0100", ""] {
        let (status, v) = t
            .post("/v1/me/phone", json!({"phone": bad}), Some(token(&grant)))
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad:?}: {v}");
    }
    let too_long = "0".repeat(300);
    let (status, _) = t
        .post(
            "/v1/me/phone",
            json!({"phone": too_long}),
            Some(token(&grant)),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    // No session: nobody's number changes.
    let (status, _) = t
        .post("/v1/me/phone", json!({"phone": "0876543210"}), None)
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    // A code for an e-mail change does not confirm a phone change, nor the reverse.
    let sent = t
        .post_ok(
            "/v1/me/email",
            json!({"email": "new@example.com"}),
            Some(token(&grant)),
        )
        .await;
    let code = t.admin.peek_otp("new@example.com").await.unwrap().code;
    let (_, v) = t
        .post(
            "/v1/me/phone/verify",
            json!({"request_id": sent["request_id"], "code": code}),
            Some(token(&grant)),
        )
        .await;
    assert_eq!(code_of(&v), "no_pending_otp", "{v}");
    // A wrong code is counted and changes nothing.
    let sent = t
        .post_ok(
            "/v1/me/phone",
            json!({"phone": "0876543210"}),
            Some(token(&grant)),
        )
        .await;
    let real = t.admin.peek_otp(NEW).await.unwrap().code;
    let wrong = if real == "000000" { "111111" } else { "000000" };
    let (_, v) = t
        .post(
            "/v1/me/phone/verify",
            json!({"request_id": sent["request_id"], "code": wrong}),
            Some(token(&grant)),
        )
        .await;
    assert_eq!(code_of(&v), "otp_invalid");
    assert_eq!(
        t.count(&format!(
            "SELECT COUNT(*) FROM people WHERE phone = '{NEW}'"
        )),
        0
    );
    t.shutdown().await;
}
