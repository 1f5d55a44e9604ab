//! Export and erasure at the server (issue 11), over HTTP: the export holds what the
//! declaration says and nobody else's data; an erasure needs a non-owner, is carried out
//! when staff approve it, and leaves nothing in the database that names the person —
//! searched in every text column of every table and in the file's bytes.

mod common;

use common::*;
use lobby_model::domain::erasure::ERASED;
use lobby_model::protocol::admin::ParcelAdd;
use lobby_model::protocol::{InvoiceAdd, InvoiceLineRecord};
use reqwest::StatusCode;
use serde_json::{json, Value};

const TENANT_PHONE: &str = "086-111-2222";
const TENANT_NAME: &str = "มานี มีนา";
const TENANT_EMAIL: &str = "manee.m@example.com";

fn parcel(unit_id: &str, recipient: &str) -> ParcelAdd {
    ParcelAdd {
        unit_id: unit_id.to_string(),
        recipient: recipient.to_string(),
        carrier: "Kerry Express".to_string(),
        tracking: None,
    }
}

async fn push(t: &TestServer, token: &str, mutation: Value) -> String {
    let body = json!({"mutations": [{
        "id": uuid::Uuid::now_v7(), "created_at": chrono::Utc::now(), "mutation": mutation,
    }]});
    let out = t.post_ok("/v1/sync/push", body, Some(token)).await;
    let o = &out["results"][0]["outcome"];
    o["code"]
        .as_str()
        .or(o["status"].as_str())
        .unwrap_or("?")
        .to_string()
}

/// An owner with a tenant in unit 0; parcels for both, an invoice, a consent.
struct World {
    t: TestServer,
    project: String,
    unit: String,
    owner: String,
    tenant: String,
}

async fn world() -> World {
    let t = dev_server().await;
    let (project, imported) = t.project_with_owners(REGISTRY).await;
    let unit = imported.units[0].unit_id.clone();
    let owner = t
        .onboard(&imported.units[0].onboarding_payload, "0812345678")
        .await["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    let grant = t
        .join(&owner, &unit, "tenant", TENANT_PHONE, TENANT_NAME)
        .await;
    let tenant = grant["access_token"].as_str().unwrap().to_string();
    // Her login e-mail, confirmed with the code sent to it.
    let sent = t
        .post_ok(
            "/v1/me/email",
            json!({"email": TENANT_EMAIL}),
            Some(&tenant),
        )
        .await;
    let code = t.admin.peek_otp(TENANT_EMAIL).await.unwrap().code;
    t.post_ok(
        "/v1/me/email/verify",
        json!({"request_id": sent["request_id"], "code": code}),
        Some(&tenant),
    )
    .await;
    t.admin
        .add_parcel(&parcel(&unit, TENANT_NAME))
        .await
        .unwrap();
    t.admin
        .add_parcel(&parcel(&unit, "คุณมานี มีนา ห้อง 12/345"))
        .await
        .unwrap();
    t.admin
        .add_parcel(&parcel(&unit, "สมชาย ใจดี"))
        .await
        .unwrap();
    // Jane's unit: not the tenant's.
    t.admin
        .add_parcel(&parcel(&imported.units[2].unit_id, "Jane Doe"))
        .await
        .unwrap();
    let (period, due) = due_in(30);
    t.admin
        .add_invoice(&InvoiceAdd {
            unit_id: unit.clone(),
            period,
            due,
            lines: vec![InvoiceLineRecord {
                description: "ค่าส่วนกลาง ธ.ค.".into(),
                amount_satang: 250_000,
            }],
            total_satang: None,
        })
        .await
        .unwrap();
    t.admin.publish_policy("privacy", "1").await.unwrap();
    let consent = json!({"consent_set": {"kind": "privacy", "version": "1", "given": true}});
    assert_eq!(push(&t, &tenant, consent).await, "applied");
    World {
        t,
        project,
        unit,
        owner,
        tenant,
    }
}

async fn export(t: &TestServer, token: &str) -> (StatusCode, Value) {
    t.request("GET", "/v1/me/export", None, Some(token)).await
}

#[tokio::test]
async fn the_export_holds_the_persons_data_and_nobody_elses() {
    let w = world().await;
    let (status, e) = export(&w.t, &w.tenant).await;
    assert_eq!(status, StatusCode::OK, "{e}");
    assert_eq!(e["format"], "lobby-export/1");
    let s = &e["server"];
    assert_eq!(s["profile"][0]["legal_name"], TENANT_NAME);
    assert_eq!(s["profile"][0]["phone"], "+66861112222");
    assert_eq!(s["memberships"][0]["role"], "tenant");
    assert_eq!(s["memberships"][0]["unit_id"], w.unit.as_str());
    assert_eq!(s["invitations_accepted"].as_array().unwrap().len(), 1);
    assert!(s["invitations_made"].as_array().unwrap().is_empty());
    assert!(s["units_owned"].as_array().unwrap().is_empty());
    // The unit's parcels since the tenant joined; not Jane's unit's.
    let recipients: Vec<&str> = s["parcels"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["recipient"].as_str().unwrap())
        .collect();
    assert_eq!(recipients.len(), 3, "{recipients:?}");
    assert!(!recipients.contains(&"Jane Doe"));
    assert_eq!(s["invoices"][0]["total"], 250_000);
    assert_eq!(s["consents"][0]["given"], true);
    assert!(!s["sessions"].as_array().unwrap().is_empty());
    assert!(!s["actions"].as_array().unwrap().is_empty());
    // Secrets are not exported.
    let text = e.to_string();
    assert!(!text.contains("password_hash") && !text.contains("digest\""));
    // The owner's export is the owner's.
    let (_, o) = export(&w.t, &w.owner).await;
    assert_eq!(o["server"]["units_owned"].as_array().unwrap().len(), 2);
    assert_eq!(o["server"]["invitations_made"].as_array().unwrap().len(), 1);
    assert_ne!(o["person_id"], e["person_id"]);
    w.t.shutdown().await;
}

#[tokio::test]
async fn an_export_needs_a_fresh_sign_in_and_a_session() {
    let w = world().await;
    w.t.db_write("UPDATE sessions SET created_at = created_at - 11 * 60 * 1000");
    let (status, e) = export(&w.t, &w.tenant).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(code_of(&e), "reauth_required");
    let (status, _) =
        w.t.request("GET", "/v1/me/export", None, Some("not-a-token"))
            .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _) = w.t.request("GET", "/v1/me/export", None, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    w.t.shutdown().await;
}

#[tokio::test]
async fn a_request_for_another_persons_data_gets_only_ones_own_or_nothing() {
    let w = world().await;
    let (_, mine) = export(&w.t, &w.owner).await;
    let owner_id = mine["person_id"].as_str().unwrap().to_string();
    assert!(
        mine.to_string().contains("+66812345678"),
        "the search below works"
    );
    // The export has no person to name: whoever asks gets their own, whatever they add.
    let (status, e) =
        w.t.request(
            "GET",
            &format!("/v1/me/export?person_id={owner_id}"),
            None,
            Some(&w.tenant),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{e}");
    assert_ne!(e["person_id"], owner_id.as_str());
    assert!(e["server"]["units_owned"].as_array().unwrap().is_empty());
    // Nothing of the owner's own: not their contact, not their sign-ins.
    let text = e.to_string();
    for owner_value in ["+66812345678", "0812345678", "somchai@example.com"] {
        assert!(!text.contains(owner_value), "{owner_value} in {text}");
    }
    assert_eq!(e["server"]["profile"].as_array().unwrap().len(), 1);
    // The office's side is not a resident's: their token reads no one's requests, audit
    // log or parcels there, and answers no request (their own erasure included).
    let (request_id, _) = file_erasure(&w.t, &w.tenant).await;
    for (method, path) in [
        (
            "GET",
            format!("/v1/admin/projects/{}/privacy-requests", w.project),
        ),
        ("GET", format!("/v1/admin/projects/{}/audit", w.project)),
        ("GET", format!("/v1/admin/parcels?project_id={}", w.project)),
        (
            "POST",
            format!("/v1/admin/privacy-requests/{request_id}/decide"),
        ),
    ] {
        let body = (method == "POST").then(|| json!({"approve": true}));
        let (status, v) = w.t.request(method, &path, body, Some(&w.tenant)).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{method} {path}: {v}");
    }
    let list =
        w.t.admin
            .privacy_requests(&w.project)
            .await
            .unwrap()
            .requests;
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].status, "open", "still the office's to answer");
    w.t.shutdown().await;
}

async fn file_erasure(t: &TestServer, token: &str) -> (String, String) {
    let id = uuid::Uuid::now_v7().to_string();
    let m = json!({"privacy_request_file": {"request_id": id, "kind": "erasure", "detail": "ลบข้อมูลของ มานี มีนา"}});
    (id.clone(), push(t, token, m).await)
}

#[tokio::test]
async fn an_owners_erasure_is_refused_with_its_own_code_and_nothing_changes() {
    let w = world().await;
    let (request, code) = file_erasure(&w.t, &w.owner).await;
    assert_eq!(code, "applied", "filed, for the office to answer");
    let before = w.t.count("SELECT COUNT(*) FROM changes");
    let e =
        w.t.admin
            .decide_privacy_request(&request, true, None)
            .await
            .unwrap_err();
    assert_eq!(e.code, lobby_model::ErrorCode::StillOwnsUnit);
    assert!(
        e.message.contains("transfers the ownership"),
        "{}",
        e.message
    );
    // Nothing happened: still open, still signed in, nothing logged.
    assert_eq!(
        w.t.count("SELECT COUNT(*) FROM privacy_requests WHERE status = 'open'"),
        1
    );
    assert_eq!(w.t.count("SELECT COUNT(*) FROM changes"), before);
    assert_eq!(export(&w.t, &w.owner).await.0, StatusCode::OK);
    // The office answers it instead, with the reason.
    let d =
        w.t.admin
            .decide_privacy_request(&request, false, Some("ยังเป็นเจ้าของห้อง 12/345"))
            .await
            .unwrap();
    assert_eq!(d.status, "rejected");
    w.t.shutdown().await;
}

/// Every text value in the database, with where it is.
fn texts(t: &TestServer) -> Vec<(String, String, String)> {
    let db = t.db();
    let tables: Vec<String> = db
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table'")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let mut out = Vec::new();
    for table in tables {
        let mut stmt = db.prepare(&format!("SELECT * FROM \"{table}\"")).unwrap();
        let names: Vec<String> = stmt.column_names().map(|c| c.to_string()).collect();
        let mut rows = stmt.query([]).unwrap();
        while let Some(r) = rows.next().unwrap() {
            for (i, name) in names.iter().enumerate() {
                if let Ok(rusqlite::types::ValueRef::Text(b)) = r.get_ref(i) {
                    let s = String::from_utf8_lossy(b).to_string();
                    out.push((table.clone(), name.clone(), s));
                }
            }
        }
    }
    out
}

#[tokio::test]
async fn an_approved_erasure_leaves_nothing_that_names_the_person() {
    let w = world().await;
    let (_, e) = export(&w.t, &w.tenant).await;
    let person_id = e["person_id"].as_str().unwrap().to_string();
    assert_eq!(e["server"]["profile"][0]["email"], TENANT_EMAIL);
    let needles = [
        TENANT_NAME,
        "+66861112222",
        "0861112222",
        "086-111-2222",
        TENANT_EMAIL,
    ];
    let named = |t: &TestServer| -> Vec<(String, String)> {
        texts(t)
            .into_iter()
            .filter(|(_, _, v)| needles.iter().any(|n| v.contains(n)))
            .map(|(t, c, _)| (t, c))
            .collect()
    };
    assert!(
        !named(&w.t).is_empty(),
        "the search finds the person before"
    );

    let (request, code) = file_erasure(&w.t, &w.tenant).await;
    assert_eq!(code, "applied");
    let decided =
        w.t.admin
            .decide_privacy_request(&request, true, None)
            .await
            .unwrap();
    assert_eq!(decided.status, "approved");
    let report = decided.erasure.expect("what was erased");
    assert!(report.change_log_entries > 0);
    assert!(report
        .tables
        .iter()
        .any(|t| t.table == "parcels" && t.rows == 2));

    assert_eq!(named(&w.t), Vec::<(String, String)>::new());
    // The file itself: deleted and overwritten values are not left in free pages.
    let c = rusqlite::Connection::open(&w.t.db_path).unwrap();
    c.busy_timeout(std::time::Duration::from_secs(5)).unwrap();
    let busy: i64 = c
        .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| r.get(0))
        .unwrap();
    assert_eq!(busy, 0, "the checkpoint completed");
    drop(c);
    let mut bytes = std::fs::read(&w.t.db_path).unwrap();
    if let Ok(wal) = std::fs::read(w.t.db_path.with_extension("db-wal")) {
        bytes.extend(wal);
    }
    for n in needles {
        let n = n.as_bytes();
        assert!(
            !bytes.windows(n.len()).any(|x| x == n),
            "{} found in the database file",
            String::from_utf8_lossy(n)
        );
    }
    // What stays names nobody: the profile row, the parcels of the unit, the request.
    assert_eq!(
        w.t.count(&format!(
            "SELECT COUNT(*) FROM people WHERE id = '{person_id}' AND legal_name = '{ERASED}' AND phone IS NULL AND erased_at IS NOT NULL"
        )),
        1
    );
    assert_eq!(
        w.t.count("SELECT COUNT(*) FROM parcels WHERE recipient = 'สมชาย ใจดี'"),
        1,
        "other people's parcels are left"
    );
    assert_eq!(
        w.t.count(&format!(
            "SELECT COUNT(*) FROM privacy_requests WHERE id = '{request}' AND status = 'approved' AND detail IS NULL"
        )),
        1
    );
    assert_eq!(
        w.t.count(&format!(
            "SELECT COUNT(*) FROM consent_events WHERE person_id = '{person_id}'"
        )),
        1,
        "the record of consent is kept"
    );
    // Signed out everywhere; the membership ended.
    let (status, _) = export(&w.t, &w.tenant).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        w.t.count(&format!(
            "SELECT COUNT(*) FROM memberships WHERE person_id = '{person_id}' AND ended_at IS NULL"
        )),
        0
    );
    // The owner's phone learns of the redacted parcels: the latest copy is logged again.
    let pulled =
        w.t.post_ok("/v1/sync/pull", json!({"cursors": {}}), Some(&w.owner))
            .await
            .to_string();
    assert!(pulled.contains(ERASED));
    assert!(!pulled.contains(TENANT_NAME));
    let _ = w.project;
    w.t.shutdown().await;
}
