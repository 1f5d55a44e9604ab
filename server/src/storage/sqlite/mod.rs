//! [`Storage`] on SQLite: one connection in WAL mode behind a mutex (one writer, as SQLite
//! wants), immediate transactions for writes so concurrent requests serialise instead of
//! failing with "busy". Split by area: `registry` (staff, projects, import, tokens),
//! `accounts` (OTP requests, onboarding, sign-in, sessions), `sync` (change log, pull,
//! push), `invites` (invitation codes, the cap, members, guessing).

mod accounts;
mod invites;
mod registry;
mod sync;

use std::path::Path;
use std::sync::Mutex;

use chrono::{DateTime, Utc};
use lobby_model::domain::contact::Destination;
use lobby_model::domain::registry::RegistryRow;
use lobby_model::protocol::{MutationEnvelope, MutationOutcome, ProjectRecord, PullRequest};
use rusqlite::{Connection, Transaction, TransactionBehavior};

use super::schema;
use super::{
    InviteTarget, LoginAccount, NewOnboardingToken, NewOtpRequest, NewStaff, OnboardingTarget,
    PullPage, StaffMember, Storage,
};
use crate::error::{AppError, AppResult};
use crate::sessions::{NewSession, SessionInfo};

pub struct SqliteStorage {
    conn: Mutex<Connection>,
}

impl SqliteStorage {
    /// Opens (creating if needed) and migrates the database at `path`. Another process
    /// may open the same file concurrently (tests do, to inspect it).
    pub fn open(path: &Path) -> anyhow::Result<SqliteStorage> {
        let mut conn = Connection::open(path)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        schema::migrate(&mut conn)?;
        Ok(SqliteStorage {
            conn: Mutex::new(conn),
        })
    }

    /// Runs `f` in an immediate (write) transaction; commits when it returns `Ok`.
    fn write<T>(&self, f: impl FnOnce(&Transaction) -> AppResult<T>) -> AppResult<T> {
        let mut conn = self.conn.lock().unwrap_or_else(|p| p.into_inner());
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let out = f(&tx)?;
        tx.commit()?;
        Ok(out)
    }

    /// Like [`Self::write`] for operations that must keep some effects even when they
    /// fail (a wrong OTP is counted): `Ok(Err(e))` commits, then answers `e`.
    fn write_then<T>(
        &self,
        f: impl FnOnce(&Transaction) -> AppResult<AppResult<T>>,
    ) -> AppResult<T> {
        self.write(f)?
    }

    /// Runs `f` in a read transaction (one consistent snapshot).
    fn read<T>(&self, f: impl FnOnce(&Transaction) -> AppResult<T>) -> AppResult<T> {
        let mut conn = self.conn.lock().unwrap_or_else(|p| p.into_inner());
        let tx = conn.transaction_with_behavior(TransactionBehavior::Deferred)?;
        let out = f(&tx)?;
        tx.finish()?;
        Ok(out)
    }
}

/// Times are stored as Unix milliseconds.
pub(crate) fn ms(t: DateTime<Utc>) -> i64 {
    t.timestamp_millis()
}

pub(crate) fn from_ms(v: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(v).unwrap_or_default()
}

pub(crate) fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

/// A stored role; anything else means the row was written by something other than this
/// server.
pub(crate) fn parse_role(s: &str) -> AppResult<lobby_model::protocol::Role> {
    lobby_model::protocol::Role::parse(s).ok_or_else(|| AppError::server("role", "unknown role"))
}

impl Storage for SqliteStorage {
    fn add_staff(&self, staff: &NewStaff, now: DateTime<Utc>) -> AppResult<()> {
        self.write(|tx| registry::add_staff(tx, staff, now))
    }

    fn revoke_staff(&self, staff_id: &str, now: DateTime<Utc>) -> AppResult<()> {
        self.write(|tx| registry::revoke_staff(tx, staff_id, now))
    }

    fn staff_by_token(&self, token_digest: &str) -> AppResult<Option<StaffMember>> {
        self.read(|tx| registry::staff_by_token(tx, token_digest))
    }

    fn create_project(&self, project: &ProjectRecord, now: DateTime<Utc>) -> AppResult<()> {
        self.write(|tx| registry::create_project(tx, project, now))
    }

    fn project(&self, project_id: &str) -> AppResult<Option<ProjectRecord>> {
        self.read(|tx| registry::project(tx, project_id))
    }

    fn unit_project_id(&self, unit_id: &str) -> AppResult<Option<String>> {
        self.read(|tx| registry::unit_project_id(tx, unit_id))
    }

    fn import_owners(
        &self,
        project_id: &str,
        rows: &[RegistryRow],
        tokens: &[NewOnboardingToken],
        now: DateTime<Utc>,
    ) -> AppResult<Vec<String>> {
        self.write(|tx| registry::import_owners(tx, project_id, rows, tokens, now))
    }

    fn reissue_onboarding(
        &self,
        unit_id: &str,
        token: &NewOnboardingToken,
        now: DateTime<Utc>,
    ) -> AppResult<()> {
        self.write(|tx| registry::reissue_onboarding(tx, unit_id, token, now))
    }

    fn onboarding_target(&self, token_digest: &str) -> AppResult<Option<OnboardingTarget>> {
        self.read(|tx| accounts::onboarding_target(tx, token_digest))
    }

    fn create_otp_request(&self, request: &NewOtpRequest) -> AppResult<()> {
        self.write(|tx| accounts::create_otp_request(tx, request))
    }

    fn complete_onboarding(
        &self,
        request_id: &str,
        code_digest: &str,
        session: &NewSession,
        now: DateTime<Utc>,
    ) -> AppResult<String> {
        self.write_then(|tx| {
            accounts::complete_onboarding(tx, request_id, code_digest, session, now)
        })
    }

    fn claim_onboarding(
        &self,
        person_id: &str,
        token_digest: &str,
        now: DateTime<Utc>,
    ) -> AppResult<String> {
        self.write(|tx| accounts::claim_onboarding(tx, person_id, token_digest, now))
    }

    fn login_account(&self, destination: &Destination) -> AppResult<Option<LoginAccount>> {
        self.read(|tx| accounts::login_account(tx, destination))
    }

    fn person_destination(&self, person_id: &str) -> AppResult<Option<Destination>> {
        self.read(|tx| accounts::person_destination(tx, person_id))
    }

    fn complete_otp_login(
        &self,
        request_id: &str,
        code_digest: &str,
        session: &NewSession,
        now: DateTime<Utc>,
    ) -> AppResult<String> {
        self.write_then(|tx| {
            accounts::complete_otp_login(tx, request_id, code_digest, session, now)
        })
    }

    fn invite_for_acceptance(
        &self,
        code_digest: Option<&str>,
        guess_keys: &[String],
        now: DateTime<Utc>,
    ) -> AppResult<InviteTarget> {
        self.write_then(|tx| invites::for_acceptance(tx, code_digest, guess_keys, now))
    }

    fn create_session(
        &self,
        person_id: &str,
        session: &NewSession,
        now: DateTime<Utc>,
    ) -> AppResult<()> {
        self.write(|tx| accounts::insert_session(tx, person_id, &session.id, session, now))
    }

    fn session_by_access(
        &self,
        access_digest: &str,
        now: DateTime<Utc>,
    ) -> AppResult<Option<SessionInfo>> {
        self.read(|tx| accounts::session_by_access(tx, access_digest, now))
    }

    fn rotate_refresh(
        &self,
        refresh_digest: &str,
        session: &NewSession,
        now: DateTime<Utc>,
    ) -> AppResult<String> {
        self.write_then(|tx| accounts::rotate_refresh(tx, refresh_digest, session, now))
    }

    fn revoke_family(&self, family_id: &str, now: DateTime<Utc>) -> AppResult<()> {
        self.write(|tx| accounts::revoke_family(tx, family_id, now))
    }

    fn revoke_person_sessions(&self, person_id: &str, now: DateTime<Utc>) -> AppResult<()> {
        self.write(|tx| {
            tx.execute(
                "UPDATE sessions SET revoked_at = ?2 WHERE person_id = ?1 AND revoked_at IS NULL",
                rusqlite::params![person_id, ms(now)],
            )?;
            Ok(())
        })
    }

    fn pull(&self, person_id: &str, request: &PullRequest) -> AppResult<PullPage> {
        self.read(|tx| sync::pull(tx, person_id, request))
    }

    fn push_one(
        &self,
        person_id: &str,
        envelope: &MutationEnvelope,
        now: DateTime<Utc>,
    ) -> AppResult<MutationOutcome> {
        self.write(|tx| sync::push_one(tx, person_id, envelope, now))
    }

    fn bump_epoch(&self) -> AppResult<u32> {
        self.write(sync::bump_epoch)
    }
}

/// Maps a uniqueness violation to `conflict`, anything else to a server error.
pub(crate) fn conflict_or(e: rusqlite::Error, what: &str) -> AppError {
    match e.sqlite_error_code() {
        Some(rusqlite::ErrorCode::ConstraintViolation) => AppError::new(
            lobby_model::ErrorCode::Conflict,
            format!("{what} already exists"),
        ),
        _ => e.into(),
    }
}
