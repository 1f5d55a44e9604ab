//! Support for the end-to-end tests: a real `lobby-server` on loopback with a temporary
//! database, phones (core `Lobby` instances with in-memory secrets), and a fault-injecting
//! proxy ([`fault_proxy`]). No mock of our own server anywhere.

pub mod fault_proxy;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use lobby_core::protocol::admin::ImportedUnit;
use lobby_core::protocol::ProjectKind;
use lobby_core::secrets::MemorySecretStore;
use lobby_core::{Lobby, LobbyConfig, SignedIn};
use lobby_server::{AdminClient, RunningServer, ServerConfig};

pub const REGISTRY: &str = include_str!("../../fixtures/registry/demo.csv");
pub const OWNER_PHONE: &str = "081-234-5678";
pub const OWNER_PASSWORD: &str = "Lumpini2026!";

/// An invoice's `(period, due)` due `days` from today (UTC, the day the server and the
/// phone count overdue invoices and arrears by; negative: past due), the period being the
/// due date's month — never a fixed date, which a later run would find in the past.
pub fn due_in(days: i64) -> (String, String) {
    let due = chrono::Utc::now().date_naive() + chrono::Duration::days(days);
    (
        due.format("%Y-%m").to_string(),
        due.format("%Y-%m-%d").to_string(),
    )
}

/// A real server on 127.0.0.1 with its own temporary SQLite file.
pub struct TestServer {
    pub server: Option<RunningServer>,
    pub url: String,
    pub admin: AdminClient,
    pub db_path: PathBuf,
    _dir: tempfile::TempDir,
}

impl TestServer {
    pub async fn start() -> TestServer {
        let dir = tempfile::tempdir().expect("tempdir");
        let db_path = dir.path().join("server.db");
        let server = start_at(&db_path, SocketAddr::from(([127, 0, 0, 1], 0))).await;
        let admin = AdminClient::new(
            &server.url,
            server.staff_token.as_deref().expect("dev staff token"),
        );
        TestServer {
            url: server.url.clone(),
            server: Some(server),
            admin,
            db_path,
            _dir: dir,
        }
    }

    /// Stops the server (the database stays).
    pub async fn stop(&mut self) {
        if let Some(s) = self.server.take() {
            s.shutdown().await.expect("clean shutdown");
        }
    }

    /// Starts it again on the same address and database.
    pub async fn restart(&mut self) {
        self.stop().await;
        let addr: SocketAddr = self
            .url
            .trim_start_matches("http://")
            .parse()
            .expect("addr");
        let s = start_at(&self.db_path, addr).await;
        self.admin = AdminClient::new(&s.url, s.staff_token.as_deref().expect("dev staff token"));
        self.server = Some(s);
    }

    /// Creates a condominium and imports the demo registry.
    pub async fn import_demo_registry(&self) -> Vec<ImportedUnit> {
        let project = self
            .admin
            .create_project("เดอะ ล็อบบี้ เรสซิเดนซ์", ProjectKind::Condominium)
            .await
            .expect("project");
        self.admin
            .import_owners(&project.project_id, REGISTRY.as_bytes().to_vec())
            .await
            .expect("import")
            .units
    }

    /// The demo registry imported and its first unit's owner onboarded on a new phone.
    pub async fn onboarded_owner(&self) -> (Phone, Vec<ImportedUnit>) {
        let units = self.import_demo_registry().await;
        let phone = Phone::new(&self.url);
        phone.onboard(self, &units[0], OWNER_PHONE).await;
        (phone, units)
    }

    /// Read-only access to the server's database, to check what really happened.
    pub fn db(&self) -> rusqlite::Connection {
        rusqlite::Connection::open_with_flags(
            &self.db_path,
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
        )
        .expect("open server db")
    }

    /// Moves every counted OTP send `secs` into the past (the one-a-minute rule per
    /// address would otherwise make a test wait).
    pub fn age_otp_sends(&self, secs: i64) {
        let c = rusqlite::Connection::open(&self.db_path).expect("open server db");
        c.busy_timeout(std::time::Duration::from_secs(5))
            .expect("busy timeout");
        c.execute(
            "UPDATE otp_sends SET created_at = created_at - ?1",
            [secs * 1000],
        )
        .expect("age sends");
    }

    /// Moves every sign-in `secs` into the past (a stale sign-in, without waiting).
    pub fn age_sign_ins(&self, secs: i64) {
        let c = rusqlite::Connection::open(&self.db_path).expect("open server db");
        c.busy_timeout(std::time::Duration::from_secs(5))
            .expect("busy timeout");
        c.execute(
            "UPDATE sessions SET created_at = created_at - ?1",
            [secs * 1000],
        )
        .expect("age sign-ins");
    }
}

async fn start_at(db: &std::path::Path, addr: SocketAddr) -> RunningServer {
    lobby_server::start(ServerConfig {
        db_path: db.to_path_buf(),
        addr,
        dev: true,
        otp_webhook: None,
        key_file: None,
        limits: Default::default(),
    })
    .await
    .expect("server starts")
}

/// A phone: a `Lobby` with its own data directory and in-memory secrets.
pub struct Phone {
    pub lobby: Lobby,
    pub secrets: Arc<MemorySecretStore>,
    pub dir: tempfile::TempDir,
}

impl Phone {
    pub fn new(server_url: &str) -> Phone {
        Phone::labelled(server_url, None)
    }

    /// A phone that names itself `label` in the person's list of signed-in devices.
    pub fn labelled(server_url: &str, label: Option<&str>) -> Phone {
        let dir = tempfile::tempdir().expect("tempdir");
        let secrets = Arc::new(MemorySecretStore::new());
        let lobby = Phone::open_with(dir.path().to_path_buf(), server_url, secrets.clone(), label);
        Phone {
            lobby,
            secrets,
            dir,
        }
    }

    pub fn open_at(dir: PathBuf, server_url: &str, secrets: Arc<MemorySecretStore>) -> Lobby {
        Phone::open_with(dir, server_url, secrets, None)
    }

    fn open_with(
        dir: PathBuf,
        server_url: &str,
        secrets: Arc<MemorySecretStore>,
        label: Option<&str>,
    ) -> Lobby {
        Lobby::open(
            LobbyConfig {
                data_dir: dir,
                server_url: Some(server_url.to_string()),
                device_label: label.map(str::to_string),
            },
            secrets,
        )
        .expect("lobby opens")
    }

    /// Reopens the same device (as after the app was killed).
    pub fn reopen(&mut self, server_url: &str) {
        self.lobby = Phone::open_at(
            self.dir.path().to_path_buf(),
            server_url,
            self.secrets.clone(),
        );
    }

    /// The phone's database, opened with its key from its secret store (to look inside).
    pub fn store(&self) -> lobby_core::store::Store {
        use lobby_core::secrets::{keys, SecretStore};
        let hex = self
            .secrets
            .get(keys::DATABASE_KEY)
            .expect("secrets")
            .expect("a database key");
        let key = lobby_core::store::DatabaseKey::from_hex(&hex).expect("key");
        lobby_core::store::Store::open(&self.dir.path().join("lobby.db"), &key)
            .expect("store opens")
    }

    /// Full owner onboarding of `unit` with the demo owner's phone and password.
    pub async fn onboard(&self, server: &TestServer, unit: &ImportedUnit, phone: &str) -> SignedIn {
        self.lobby
            .auth()
            .scan_onboarding(&unit.onboarding_payload)
            .await
            .expect("scan");
        self.lobby
            .auth()
            .start_onboarding(
                &unit.onboarding_payload,
                Some(phone),
                Some(OWNER_PASSWORD),
                None,
                None,
                &[],
            )
            .await
            .expect("start");
        let code = server.admin.peek_otp(phone).await.expect("peek").code;
        self.lobby
            .auth()
            .verify_onboarding(&code)
            .await
            .expect("verify")
    }
}

/// Every file under `dir`, recursively, with its bytes (to search a phone's home for
/// plaintext).
pub fn files_under(dir: &std::path::Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).expect("read dir") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            out.extend(files_under(&path));
        } else {
            let bytes = std::fs::read(&path).expect("read file");
            out.push((path.display().to_string(), bytes));
        }
    }
    out
}

/// Every value of every row of every table of `conn` as `"<table>: <value>"` (blobs
/// read as UTF-8, lossily; NULLs left out): what a search of a database compares with.
pub fn database_cells(conn: &rusqlite::Connection) -> Vec<String> {
    use rusqlite::types::Value;
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
        .expect("list tables")
        .query_map([], |r| r.get(0))
        .expect("list tables")
        .map(|r| r.expect("a table name"))
        .collect();
    let mut cells = Vec::new();
    for t in tables {
        let mut stmt = conn
            .prepare(&format!("SELECT * FROM \"{t}\""))
            .expect("read table");
        let n = stmt.column_count();
        let mut rows = stmt.query([]).expect("read table");
        while let Some(row) = rows.next().expect("a row") {
            for i in 0..n {
                let v = match row.get::<_, Value>(i).expect("a value") {
                    Value::Null => continue,
                    Value::Integer(n) => n.to_string(),
                    Value::Real(x) => x.to_string(),
                    Value::Text(s) => s,
                    Value::Blob(b) => String::from_utf8_lossy(&b).into_owned(),
                };
                cells.push(format!("{t}: {v}"));
            }
        }
    }
    cells
}
