//! Consents at the server (DESIGN.md §2.8, issue 11), pushed raw: every check the phone
//! makes is made again here, and only platform staff bring a document into force.

mod common;

use common::*;
use lobby_model::ErrorCode;

async fn answer(t: &TestServer, token: &str, kind: &str, version: &str, given: bool) -> String {
    let body = serde_json::json!({"mutations": [{
        "id": uuid::Uuid::now_v7(),
        "created_at": chrono::Utc::now(),
        "mutation": {"consent_set": {"kind": kind, "version": version, "given": given}},
    }]});
    let out = t.post_ok("/v1/sync/push", body, Some(token)).await;
    let outcome = &out["results"][0]["outcome"];
    outcome["code"]
        .as_str()
        .or(outcome["status"].as_str())
        .unwrap_or("?")
        .to_string()
}

#[tokio::test]
async fn answers_are_checked_against_the_version_in_force_and_all_are_kept() {
    let t = dev_server().await;
    let (_, imported) = t.project_with_owners(REGISTRY).await;
    let grant = t
        .onboard(&imported.units[0].onboarding_payload, "0812345678")
        .await;
    let token = grant["access_token"].as_str().unwrap();

    assert_eq!(answer(&t, token, "terms", "1", true).await, "not_found");
    t.admin.publish_policy("terms", "1").await.unwrap();
    t.admin.publish_policy("terms", "2").await.unwrap();
    assert_eq!(answer(&t, token, "terms", "1", true).await, "conflict");
    assert_eq!(
        answer(&t, token, "cookies", "2", true).await,
        "invalid_input"
    );
    assert_eq!(
        answer(&t, token, "terms", "v 2", true).await,
        "invalid_input"
    );
    assert_eq!(answer(&t, token, "terms", "2", true).await, "applied");
    // A withdrawal may name the version agreed to earlier.
    assert_eq!(answer(&t, token, "terms", "1", false).await, "applied");
    assert_eq!(
        t.count("SELECT COUNT(*) FROM consent_events WHERE kind = 'terms'"),
        2
    );
    // The latest answer is in the person's scope; the version in force for everyone.
    assert_eq!(
        t.count("SELECT COUNT(*) FROM changes WHERE scope LIKE 'person:%' AND record LIKE '%\"consent\"%'"),
        2
    );
    assert_eq!(
        t.count("SELECT COUNT(*) FROM changes WHERE scope = 'policies:platform'"),
        2
    );
    t.shutdown().await;
}

#[tokio::test]
async fn only_platform_staff_publish_and_bad_versions_are_refused() {
    let t = dev_server().await;
    let project = t.project().await;
    let limited = lobby_server::AdminClient::new(&t.url, &add_staff(&t.db_path, Some(&project)));
    assert_eq!(
        limited
            .publish_policy("privacy", "1")
            .await
            .unwrap_err()
            .code,
        ErrorCode::Forbidden
    );
    for (kind, version) in [("privacy", ""), ("privacy", "๒๕๖๙"), ("cookies", "1")] {
        assert_eq!(
            t.admin
                .publish_policy(kind, version)
                .await
                .unwrap_err()
                .code,
            ErrorCode::InvalidInput,
            "{kind} {version}"
        );
    }
    assert!(t
        .admin
        .publish_policy("privacy", "2026-12_b.1")
        .await
        .is_ok());
    t.shutdown().await;
}

async fn file(t: &TestServer, token: &str, kind: &str, detail: Option<&str>) -> (String, String) {
    let id = uuid::Uuid::now_v7();
    let body = serde_json::json!({"mutations": [{
        "id": uuid::Uuid::now_v7(),
        "created_at": chrono::Utc::now(),
        "mutation": {"privacy_request_file": {"request_id": id, "kind": kind, "detail": detail}},
    }]});
    let out = t.post_ok("/v1/sync/push", body, Some(token)).await;
    let outcome = &out["results"][0]["outcome"];
    let code = outcome["code"]
        .as_str()
        .or(outcome["status"].as_str())
        .unwrap_or("?")
        .to_string();
    (id.to_string(), code)
}

#[tokio::test]
async fn requests_are_filed_listed_by_deadline_and_answered_once() {
    let t = dev_server().await;
    let (project, imported) = t.project_with_owners(REGISTRY).await;
    let grant = t
        .onboard(&imported.units[0].onboarding_payload, "0812345678")
        .await;
    let token = grant["access_token"].as_str().unwrap().to_string();

    assert_eq!(
        file(&t, &token, "correction", None).await.1,
        "invalid_input"
    );
    assert_eq!(file(&t, &token, "export", None).await.1, "invalid_input");
    let (objection, code) = file(&t, &token, "objection", Some("ไม่รับข่าวสารการตลาด")).await;
    assert_eq!(code, "applied");
    let (erasure, code) = file(&t, &token, "erasure", None).await;
    assert_eq!(code, "applied", "a fresh sign-in may ask for erasure");

    let list = t.admin.privacy_requests(&project).await.unwrap().requests;
    let ids: Vec<&str> = list.iter().map(|r| r.request_id.as_str()).collect();
    assert_eq!(
        ids,
        [objection.as_str(), erasure.as_str()],
        "soonest deadline first"
    );
    assert!(list
        .iter()
        .all(|r| r.deadline - r.filed_at == chrono::Duration::days(30)));
    // Staff of another project see none of it and cannot answer it.
    let other = t.project().await;
    let limited = lobby_server::AdminClient::new(&t.url, &add_staff(&t.db_path, Some(&other)));
    assert_eq!(
        limited.privacy_requests(&project).await.unwrap_err().code,
        ErrorCode::NotFound
    );
    assert_eq!(
        limited
            .decide_privacy_request(&erasure, true, None)
            .await
            .unwrap_err()
            .code,
        ErrorCode::NotFound
    );
    // A rejection needs its reason; an answer is given once.
    assert_eq!(
        t.admin
            .decide_privacy_request(&erasure, false, None)
            .await
            .unwrap_err()
            .code,
        ErrorCode::InvalidInput
    );
    let d = t
        .admin
        .decide_privacy_request(&erasure, false, Some("ยังเป็นเจ้าของห้อง"))
        .await
        .unwrap();
    assert_eq!(d.status, "rejected");
    assert_eq!(
        t.admin
            .decide_privacy_request(&erasure, true, None)
            .await
            .unwrap_err()
            .code,
        ErrorCode::Conflict
    );
    assert_eq!(
        t.admin
            .privacy_requests(&project)
            .await
            .unwrap()
            .requests
            .len(),
        1
    );
    // Logged in the person's scope: filed, then answered.
    assert_eq!(
        t.count(&format!(
            "SELECT COUNT(*) FROM changes WHERE record LIKE '%{erasure}%' AND scope LIKE 'person:%'"
        )),
        2
    );
    t.shutdown().await;
}

#[tokio::test]
async fn an_erasure_request_needs_a_fresh_sign_in() {
    let t = dev_server().await;
    let (_, imported) = t.project_with_owners(REGISTRY).await;
    let grant = t
        .onboard(&imported.units[0].onboarding_payload, "0812345678")
        .await;
    let token = grant["access_token"].as_str().unwrap().to_string();
    // The sign-in was 11 minutes ago (its sessions' creation moved back).
    t.db_write("UPDATE sessions SET created_at = created_at - 11 * 60 * 1000");
    assert_eq!(file(&t, &token, "erasure", None).await.1, "reauth_required");
    // Other requests do not need one.
    assert_eq!(file(&t, &token, "objection", None).await.1, "applied");
    assert_eq!(t.count("SELECT COUNT(*) FROM privacy_requests"), 1);
    t.shutdown().await;
}

#[tokio::test]
async fn staff_actions_on_personal_data_are_audited_in_a_chain_that_shows_tampering() {
    let t = dev_server().await;
    let (project, imported) = t.project_with_owners(REGISTRY).await;
    let grant = t
        .onboard(&imported.units[0].onboarding_payload, "0812345678")
        .await;
    let token = grant["access_token"].as_str().unwrap().to_string();
    let (request, _) = file(&t, &token, "objection", None).await;
    t.admin.privacy_requests(&project).await.unwrap();
    t.admin
        .decide_privacy_request(&request, true, None)
        .await
        .unwrap();
    let (period, due) = due_in(30);
    let added = t
        .admin
        .add_invoice(&lobby_model::protocol::InvoiceAdd {
            unit_id: imported.units[0].unit_id.clone(),
            period,
            due,
            lines: vec![lobby_model::protocol::InvoiceLineRecord {
                description: "ค่าส่วนกลาง".into(),
                amount_satang: 100_000,
            }],
            total_satang: None,
        })
        .await
        .unwrap();
    t.admin
        .confirm_invoice(&added.invoice_id, 100_000)
        .await
        .unwrap();
    let parcel = t
        .admin
        .add_parcel(&lobby_model::protocol::admin::ParcelAdd {
            unit_id: imported.units[0].unit_id.clone(),
            recipient: "สมชาย ใจดี".into(),
            carrier: "Kerry Express".into(),
            tracking: None,
        })
        .await
        .unwrap()
        .parcel_id;
    t.admin.return_parcel(&parcel).await.unwrap();
    // A search that shows recipients is audited; one that shows nobody is not.
    let unit = imported.units[0].unit_id.as_str();
    t.admin
        .list_parcels(Some(unit), None, Some("สมชาย"))
        .await
        .unwrap();
    let none = t
        .admin
        .list_parcels(None, None, Some("ไม่มีใครชื่อนี้"))
        .await
        .unwrap();
    assert!(none.parcels.is_empty());
    t.admin
        .reissue_onboarding(&imported.units[1].unit_id)
        .await
        .unwrap();

    let log = t.admin.audit(&project).await.unwrap();
    assert!(log.verified);
    let actions: Vec<(&str, &str)> = log
        .entries
        .iter()
        .map(|e| (e.action.as_str(), e.subject.as_str()))
        .collect();
    assert_eq!(
        actions,
        [
            ("owners.import", project.as_str()),
            ("privacy_request.list", project.as_str()),
            ("privacy_request.decide", request.as_str()),
            ("invoice.confirm", added.invoice_id.as_str()),
            ("parcel.log", parcel.as_str()),
            ("parcel.return", parcel.as_str()),
            ("parcel.list", unit),
            ("onboarding.reissue", imported.units[1].unit_id.as_str()),
        ]
    );
    // No personal data in it: ids only.
    let all = serde_json::to_string(&log).unwrap();
    assert!(!all.contains("0812345678") && !all.contains("สมชาย"));
    // Another project's staff cannot read it.
    let other = t.project().await;
    let limited = lobby_server::AdminClient::new(&t.url, &add_staff(&t.db_path, Some(&other)));
    assert_eq!(
        limited.audit(&project).await.unwrap_err().code,
        ErrorCode::NotFound
    );

    // Nobody edits it through the store...
    let db = rusqlite::Connection::open(&t.db_path).unwrap();
    assert!(db
        .execute("UPDATE audit_log SET subject = 'x' WHERE seq = 1", [])
        .is_err());
    assert!(db.execute("DELETE FROM audit_log", []).is_err());
    // ... and one who goes around it (dropping the guard) is found out.
    db.execute_batch(
        "DROP TRIGGER audit_log_no_update;
         UPDATE audit_log SET staff_id = 'someone-else' WHERE seq = 1;",
    )
    .unwrap();
    let log = t.admin.audit(&project).await.unwrap();
    assert!(!log.verified);
    assert_eq!(log.broken_at, Some(1));
    t.shutdown().await;
}

// Consents answered at onboarding (the preview lists the documents in force, the start
// carries the answers, the verification records them with the account).

/// start with `consents` (new account, `phone`); the raw answer.
async fn start_with(
    t: &TestServer,
    payload: &str,
    phone: &str,
    consents: serde_json::Value,
) -> (reqwest::StatusCode, serde_json::Value) {
    t.post(
        "/v1/onboarding/start",
        serde_json::json!({"payload": payload, "phone": phone, "password": PASSWORD,
                           "consents": consents}),
        None,
    )
    .await
}

async fn verify_with(
    t: &TestServer,
    sent: &serde_json::Value,
    phone: &str,
) -> (reqwest::StatusCode, serde_json::Value) {
    let code = t.admin.peek_otp(phone).await.unwrap().code;
    t.post(
        "/v1/onboarding/verify",
        serde_json::json!({"request_id": sent["request_id"], "code": code}),
        None,
    )
    .await
}

/// The `consent` records a pull gives the person: `(kind, version, given)`.
async fn pulled_consents(t: &TestServer, token: &str) -> Vec<(String, String, bool)> {
    let page: lobby_model::protocol::PullResponse = serde_json::from_value(
        t.post_ok("/v1/sync/pull", serde_json::json!({}), Some(token))
            .await,
    )
    .unwrap();
    let mut out: Vec<_> = page
        .changes
        .iter()
        .filter_map(|c| match &c.record {
            lobby_model::protocol::Record::Consent(r) => {
                Some((r.kind.clone(), r.version.clone(), r.given))
            }
            _ => None,
        })
        .collect();
    out.sort();
    out
}

#[tokio::test]
async fn the_onboarding_preview_lists_the_documents_in_force() {
    let t = dev_server().await;
    let (_, imported) = t.project_with_owners(REGISTRY).await;
    let payload = serde_json::json!({"payload": imported.units[0].onboarding_payload});
    let v = t
        .post_ok("/v1/onboarding/preview", payload.clone(), None)
        .await;
    assert_eq!(v["policies"], serde_json::json!([]), "none published");

    t.admin.publish_policy("privacy", "2026-11").await.unwrap();
    t.admin.publish_policy("terms", "1").await.unwrap();
    let terms = t.admin.publish_policy("terms", "2").await.unwrap();
    let v = t.post_ok("/v1/onboarding/preview", payload, None).await;
    let policies = v["policies"].as_array().unwrap();
    let listed: Vec<(&str, &str)> = policies
        .iter()
        .map(|p| (p["kind"].as_str().unwrap(), p["version"].as_str().unwrap()))
        .collect();
    assert_eq!(listed, [("terms", "2"), ("privacy", "2026-11")]);
    let published_at: chrono::DateTime<chrono::Utc> =
        serde_json::from_value(policies[0]["published_at"].clone()).unwrap();
    // The same instant the publishing answered (both to the millisecond).
    assert_eq!(published_at, terms.published_at);
    t.shutdown().await;
}

#[tokio::test]
async fn consents_given_at_onboarding_are_recorded_with_the_account_and_synced() {
    let t = dev_server().await;
    let (_, imported) = t.project_with_owners(REGISTRY).await;
    for kind in ["terms", "privacy", "marketing"] {
        t.admin.publish_policy(kind, "2026-12").await.unwrap();
    }
    let (status, sent) = start_with(
        &t,
        &imported.units[0].onboarding_payload,
        "0812345678",
        serde_json::json!([
            {"kind": "terms", "version": "2026-12", "given": true},
            {"kind": "privacy", "version": "2026-12", "given": true},
            {"kind": "marketing", "version": "2026-12", "given": false},
        ]),
    )
    .await;
    assert_eq!(status, reqwest::StatusCode::OK, "{sent}");
    let (status, grant) = verify_with(&t, &sent, "0812345678").await;
    assert_eq!(status, reqwest::StatusCode::OK, "{grant}");
    let person = grant["person_id"].as_str().unwrap();
    assert_eq!(
        t.count(&format!(
            "SELECT COUNT(*) FROM consent_events WHERE person_id = '{person}'"
        )),
        3
    );
    let token = grant["access_token"].as_str().unwrap();
    assert_eq!(
        pulled_consents(&t, token).await,
        [
            ("marketing".to_string(), "2026-12".to_string(), false),
            ("privacy".to_string(), "2026-12".to_string(), true),
            ("terms".to_string(), "2026-12".to_string(), true),
        ]
    );

    // An owner adding a unit (signed in, the code to the account's phone) answers too.
    t.age_otp_sends(3600);
    let (status, sent) = t
        .post(
            "/v1/onboarding/start",
            serde_json::json!({"payload": imported.units[1].onboarding_payload,
                "consents": [{"kind": "marketing", "version": "2026-12", "given": true}]}),
            Some(token),
        )
        .await;
    assert_eq!(status, reqwest::StatusCode::OK, "{sent}");
    let (status, v) = verify_with(&t, &sent, "0812345678").await;
    assert_eq!(status, reqwest::StatusCode::OK, "{v}");
    assert_eq!(v["person_id"], person);
    assert_eq!(
        t.count(&format!(
            "SELECT COUNT(*) FROM consent_events WHERE person_id = '{person}' AND kind = 'marketing' AND given = 1"
        )),
        1
    );

    // No answers: as before, nothing recorded (the phone asks after its first sync).
    let grant = t
        .onboard(&imported.units[2].onboarding_payload, "0899999999")
        .await;
    let other = grant["person_id"].as_str().unwrap();
    assert_eq!(
        t.count(&format!(
            "SELECT COUNT(*) FROM consent_events WHERE person_id = '{other}'"
        )),
        0
    );
    t.shutdown().await;
}

#[tokio::test]
async fn a_document_replaced_before_verification_refuses_the_onboarding_and_creates_nothing() {
    let t = dev_server().await;
    let (_, imported) = t.project_with_owners(REGISTRY).await;
    let payload = &imported.units[0].onboarding_payload;
    t.admin.publish_policy("terms", "1").await.unwrap();
    let agree = |v: &str| serde_json::json!([{"kind": "terms", "version": v, "given": true}]);
    let (status, sent) = start_with(&t, payload, "0812345678", agree("1")).await;
    assert_eq!(status, reqwest::StatusCode::OK, "{sent}");
    t.admin.publish_policy("terms", "2").await.unwrap();

    let (status, v) = verify_with(&t, &sent, "0812345678").await;
    assert_eq!(status, reqwest::StatusCode::CONFLICT, "{v}");
    assert_eq!(code_of(&v), "conflict");
    let message = v["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("version 2") && message.contains("read it"),
        "{message}"
    );
    // Nothing was created: no account, membership, session, consent; the token unused.
    for (table, rows) in [
        ("people WHERE activated_at IS NOT NULL", 0),
        ("memberships", 0),
        ("sessions", 0),
        ("consent_events", 0),
        ("onboarding_tokens WHERE used_at IS NOT NULL", 0),
        ("changes WHERE scope LIKE 'person:%'", 0),
    ] {
        assert_eq!(
            t.count(&format!("SELECT COUNT(*) FROM {table}")),
            rows,
            "{table}"
        );
    }
    // The code was not used up: the same code is judged again (and refused again).
    let (status, v) = verify_with(&t, &sent, "0812345678").await;
    assert_eq!(status, reqwest::StatusCode::CONFLICT, "{v}");
    // Starting again with the version in force; a stale one is now refused at start.
    t.age_otp_sends(3600);
    let (status, v) = start_with(&t, payload, "0812345678", agree("1")).await;
    assert_eq!(
        (status, code_of(&v)),
        (reqwest::StatusCode::CONFLICT, "conflict")
    );
    let (_, sent) = start_with(&t, payload, "0812345678", agree("2")).await;
    let (status, grant) = verify_with(&t, &sent, "0812345678").await;
    assert_eq!(status, reqwest::StatusCode::OK, "{grant}");
    let token = grant["access_token"].as_str().unwrap();
    assert_eq!(
        pulled_consents(&t, token).await,
        [("terms".to_string(), "2".to_string(), true)]
    );
    t.shutdown().await;
}

/// A start whose answers are refused sends no code.
async fn refused_at_start(consents: serde_json::Value, code: &str) {
    let t = dev_server().await;
    let (_, imported) = t.project_with_owners(REGISTRY).await;
    t.admin.publish_policy("terms", "1").await.unwrap();
    t.admin.publish_policy("privacy", "1").await.unwrap();
    let (status, v) = start_with(
        &t,
        &imported.units[0].onboarding_payload,
        "0812345678",
        consents.clone(),
    )
    .await;
    assert_eq!(code_of(&v), code, "{consents}: {v}");
    assert!(status.is_client_error());
    assert_eq!(t.count("SELECT COUNT(*) FROM otp_requests"), 0);
    t.shutdown().await;
}

#[tokio::test]
async fn an_onboarding_answer_of_an_unknown_kind_is_invalid() {
    refused_at_start(
        serde_json::json!([{"kind": "cookies", "version": "1", "given": true}]),
        "invalid_input",
    )
    .await;
}

#[tokio::test]
async fn an_onboarding_answering_one_kind_twice_is_invalid() {
    refused_at_start(
        serde_json::json!([
            {"kind": "terms", "version": "1", "given": true},
            {"kind": "terms", "version": "1", "given": false},
        ]),
        "invalid_input",
    )
    .await;
}

#[tokio::test]
async fn an_onboarding_answer_with_a_malformed_version_is_invalid() {
    for version in ["", "v 1", "๒๕๖๙", &"9".repeat(33)] {
        refused_at_start(
            serde_json::json!([{"kind": "terms", "version": version, "given": true}]),
            "invalid_input",
        )
        .await;
    }
}

#[tokio::test]
async fn an_onboarding_with_too_many_answers_is_invalid() {
    let one = serde_json::json!({"kind": "terms", "version": "1", "given": true});
    refused_at_start(serde_json::json!(vec![one; 4]), "invalid_input").await;
}

#[tokio::test]
async fn an_onboarding_answer_to_a_document_never_published_is_not_found() {
    refused_at_start(
        serde_json::json!([{"kind": "marketing", "version": "1", "given": false}]),
        "not_found",
    )
    .await;
}
