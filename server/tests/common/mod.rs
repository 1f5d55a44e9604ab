//! Shared test harness: a real server on 127.0.0.1:0 with a temporary SQLite file,
//! spoken to over HTTP, plus read access to its database for checks.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use axum::extract::State;
use axum::routing::post;
use axum::{Json, Router};

use lobby_model::protocol::admin::OwnersImported;
use lobby_model::protocol::ProjectKind;
use lobby_server::{start, AdminClient, RunningServer, ServerConfig};
use reqwest::StatusCode;
use serde_json::{json, Value};

pub const PASSWORD: &str = "Passw0rd!";

pub const REGISTRY: &str = "unit,owner_name,ownership_ratio,phone,email\n\
12/345,สมชาย ใจดี,1.25,081-234-5678,somchai@example.com\n\
12/346,สมชาย ใจดี,0.75,+66812345678,\n\
B-1203,Jane Doe,2,0899999999,jane@example.com\n";

pub struct TestServer {
    pub server: Option<RunningServer>,
    pub url: String,
    pub staff_token: String,
    pub admin: AdminClient,
    pub http: reqwest::Client,
    pub db_path: PathBuf,
    _dir: tempfile::TempDir,
}

pub async fn dev_server() -> TestServer {
    server(true, None).await
}

pub async fn server(dev: bool, otp_webhook: Option<String>) -> TestServer {
    let dir = tempfile::tempdir().expect("temp dir");
    let db_path = dir.path().join("server.db");
    let running = start(ServerConfig {
        db_path: db_path.clone(),
        addr: "127.0.0.1:0".parse().expect("addr"),
        dev,
        otp_webhook,
        key_file: None,
        limits: Default::default(),
    })
    .await
    .expect("server starts");
    let staff_token = match running.staff_token.clone() {
        Some(t) => t,
        None => add_staff(&db_path, None),
    };
    TestServer {
        url: running.url.clone(),
        admin: AdminClient::new(&running.url, &staff_token),
        staff_token,
        server: Some(running),
        http: reqwest::Client::new(),
        db_path,
        _dir: dir,
    }
}

/// A staff credential made directly in the database (what `staff add` does).
pub fn add_staff(db_path: &std::path::Path, project: Option<&str>) -> String {
    use lobby_model::domain::secret_token::{random_secret, secret_digest};
    use lobby_server::storage::{NewStaff, SqliteStorage, Storage};
    let storage = SqliteStorage::open(db_path).expect("open db");
    let token = random_secret(32);
    storage
        .add_staff(
            &NewStaff {
                id: uuid::Uuid::now_v7().to_string(),
                name: "test".into(),
                project_id: project.map(str::to_string),
                token_digest: secret_digest(&token),
            },
            chrono::Utc::now(),
        )
        .expect("add staff");
    token
}

impl TestServer {
    pub async fn shutdown(mut self) {
        if let Some(s) = self.server.take() {
            s.shutdown().await.expect("clean shutdown");
        }
    }

    pub async fn request(
        &self,
        method: &str,
        path: &str,
        body: Option<Value>,
        bearer: Option<&str>,
    ) -> (StatusCode, Value) {
        let url = format!("{}{path}", self.url);
        let mut req = match method {
            "GET" => self.http.get(url),
            _ => self.http.post(url),
        };
        if let Some(b) = body {
            req = req.json(&b);
        }
        if let Some(t) = bearer {
            req = req.bearer_auth(t);
        }
        let resp = req.send().await.expect("request sent");
        let status = resp.status();
        let text = resp.text().await.expect("body");
        let value = serde_json::from_str(&text).unwrap_or(Value::String(text));
        (status, value)
    }

    pub async fn post(&self, path: &str, body: Value, bearer: Option<&str>) -> (StatusCode, Value) {
        self.request("POST", path, Some(body), bearer).await
    }

    /// POST that must succeed.
    pub async fn post_ok(&self, path: &str, body: Value, bearer: Option<&str>) -> Value {
        let (status, v) = self.post(path, body, bearer).await;
        assert_eq!(status, StatusCode::OK, "{path}: {v}");
        v
    }

    pub async fn project(&self) -> String {
        self.admin
            .create_project("อาคารชุดทดสอบ", ProjectKind::Condominium)
            .await
            .expect("project")
            .project_id
    }

    pub async fn project_with_owners(&self, csv: &str) -> (String, OwnersImported) {
        let project = self.project().await;
        let imported = self
            .admin
            .import_owners(&project, csv.as_bytes().to_vec())
            .await
            .expect("import");
        (project, imported)
    }

    /// start → peek (dev) → verify; returns the session grant.
    pub async fn onboard(&self, payload: &str, phone: &str) -> Value {
        let sent = self
            .post_ok(
                "/v1/onboarding/start",
                json!({"payload": payload, "phone": phone, "password": PASSWORD, "name": "สมชาย"}),
                None,
            )
            .await;
        let code = self.admin.peek_otp(phone).await.expect("peek").code;
        self.post_ok(
            "/v1/onboarding/verify",
            json!({"request_id": sent["request_id"], "code": code}),
            None,
        )
        .await
    }

    /// An OTP sign-in: a code sent `to` a phone number or an e-mail address (in the form
    /// given), peeked (dev), verified; returns the session grant.
    pub async fn sign_in_by_otp(&self, to: &str) -> Value {
        let sent = self.post_ok("/v1/auth/otp", json!({"to": to}), None).await;
        let code = self.admin.peek_otp(to).await.expect("peek").code;
        self.post_ok(
            "/v1/auth/otp/verify",
            json!({"request_id": sent["request_id"], "code": code}),
            None,
        )
        .await
    }

    /// The owner (`owner_token`) invites `role` into `unit_id`; the person with `phone`
    /// accepts (accept → peek → verify). Their session grant.
    pub async fn join(
        &self,
        owner_token: &str,
        unit_id: &str,
        role: &str,
        phone: &str,
        name: &str,
    ) -> Value {
        let code = lobby_model::domain::invites::generate_invite_code();
        let push = json!({"mutations": [{
            "id": uuid::Uuid::now_v7(), "created_at": chrono::Utc::now(),
            "mutation": {"invite_create": {"invite_id": uuid::Uuid::now_v7(), "unit_id": unit_id,
                                           "role": role, "code": code}},
        }]});
        let out = self.post_ok("/v1/sync/push", push, Some(owner_token)).await;
        assert_eq!(out["results"][0]["outcome"]["status"], "applied", "{out}");
        let sent = self
            .post_ok(
                "/v1/invites/accept",
                json!({"code": code, "phone": phone, "name": name}),
                None,
            )
            .await;
        let otp = self.admin.peek_otp(phone).await.expect("peek").code;
        self.post_ok(
            "/v1/auth/otp/verify",
            json!({"request_id": sent["request_id"], "code": otp}),
            None,
        )
        .await
    }

    /// A read-only connection to the server's database.
    pub fn db(&self) -> rusqlite::Connection {
        rusqlite::Connection::open_with_flags(
            &self.db_path,
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
        )
        .expect("open db read-only")
    }

    pub fn count(&self, sql: &str) -> i64 {
        self.db().query_row(sql, [], |r| r.get(0)).expect("count")
    }

    /// Runs one write statement on the server's database (to age or alter rows).
    pub fn db_write(&self, sql: &str) {
        let c = rusqlite::Connection::open(&self.db_path).expect("open db");
        c.busy_timeout(std::time::Duration::from_secs(5))
            .expect("busy timeout");
        c.execute(sql, []).expect("write");
    }

    /// Moves every recorded OTP send `secs` into the past: stands in for waiting out the
    /// resend interval without sleeping.
    pub fn age_otp_sends(&self, secs: i64) {
        let c = rusqlite::Connection::open(&self.db_path).expect("open db");
        c.busy_timeout(std::time::Duration::from_secs(5))
            .expect("busy timeout");
        for table in ["otp_sends", "otp_requests"] {
            c.execute(
                &format!("UPDATE {table} SET created_at = created_at - ?1"),
                [secs * 1000],
            )
            .expect("age sends");
        }
    }
}

/// An invoice's `(period, due)` due `days` from today (UTC, the day the server counts
/// overdue invoices and arrears by; negative: past due), the period being the due
/// date's month — never a fixed date, which a later run would find in the past.
pub fn due_in(days: i64) -> (String, String) {
    let due = chrono::Utc::now().date_naive() + chrono::Duration::days(days);
    (
        due.format("%Y-%m").to_string(),
        due.format("%Y-%m-%d").to_string(),
    )
}

pub fn code_of(v: &Value) -> &str {
    v["error"]["code"].as_str().unwrap_or("")
}

pub type Inbox = Arc<Mutex<Vec<Value>>>;

/// A stand-in SMS gateway that records what the webhook sender posts.
pub async fn gateway() -> (String, Inbox) {
    let inbox: Inbox = Arc::default();
    async fn receive(State(inbox): State<Inbox>, Json(v): Json<Value>) -> Json<Value> {
        inbox.lock().unwrap().push(v);
        Json(json!({}))
    }
    let app = Router::new()
        .route("/otp", post(receive))
        .with_state(inbox.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr: SocketAddr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    (format!("http://{addr}/otp"), inbox)
}

pub async fn wait_for(inbox: &Inbox, n: usize) -> Vec<Value> {
    for _ in 0..100 {
        if inbox.lock().unwrap().len() >= n {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    inbox.lock().unwrap().clone()
}
