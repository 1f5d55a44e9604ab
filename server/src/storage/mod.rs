//! The storage interface: units of work over plain data access, so a second database
//! engine (PostgreSQL, several API instances on one database) implements storage without
//! re-implementing a single rule.
//!
//! # Shape
//!
//! - [`Storage`] opens a unit of work: [`Storage::run_write`] (one serialisable write
//!   transaction, committed when the work returns `Ok`, rolled back on `Err`) and
//!   [`Storage::run_read`] (one consistent snapshot). Callers use the typed wrappers on
//!   `dyn Storage`: [`write`](#method.write), [`write_then`](#method.write_then) and
//!   [`read`](#method.read).
//! - [`Tx`] is the open transaction, combining one trait per area ([`StaffTx`],
//!   [`UnitsTx`], [`PeopleTx`], [`MembershipsTx`], [`OnboardingTokensTx`], [`OtpTx`],
//!   [`SessionsTx`], [`InvitesTx`], [`InviteGuessesTx`], [`ChangeLogTx`],
//!   [`MutationsTx`]): get/insert/update rows, count what a rule counts, append to and
//!   read the change log. No method decides anything (see [`tx`]).
//! - The rules live above: capability modules (`crate::onboarding`, `crate::sign_in`,
//!   `crate::invites`, `crate::mutations`, `crate::change_log`, …) take `&dyn Storage`,
//!   open their unit of work and do authorisation, rules (`lobby_model::domain`) and
//!   effects through `&mut dyn Tx`.
//!
//! # Why this design
//!
//! The unit of work is a closure rather than a transaction object handed back to the
//! caller: the engine owns begin/commit/rollback (an immediate transaction on SQLite;
//! `BEGIN ISOLATION LEVEL SERIALIZABLE` on PostgreSQL), so no caller can forget a commit
//! or hold a transaction across an `await`. The closure is `&mut dyn FnMut(&mut dyn Tx)`
//! so the traits stay object-safe (`Arc<dyn Storage>` in the server state, `&mut dyn Tx`
//! in handlers) and so an engine may **run the work again** after a serialisation failure
//! (PostgreSQL's `40001`): work must have no effect outside the transaction. The typed
//! wrappers add the result type on top.
//!
//! # What a caller relies on
//!
//! - Everything one unit of work does commits together or not at all: a check and the
//!   write it guards are one step (the invitation cap is counted in the transaction that
//!   stores the code; a mutation's effect and its stored idempotency result commit
//!   together).
//! - Write units are serialisable: two concurrent units never both see "4 of 5 taken".
//!   SQLite gets this from one writer; another engine must use serialisable isolation
//!   (and may retry) or lock accordingly.
//! - [`write_then`](#method.write_then) commits the work and then answers its inner
//!   error: a wrong OTP attempt is counted although the verify fails.
//! - [`Tx::undo_on_error`] undoes part of a unit (a refused mutation keeps none of its
//!   writes, only its recorded result).
//!
//! # Implementing another engine
//!
//! A PostgreSQL implementation provides exactly these methods (SQL text, upserts,
//! isolation and time encoding stay inside it, as they stay inside [`sqlite`]):
//!
//! - [`Storage`] — `run_write`, `run_read`.
//! - [`Tx`] — `undo_on_error`.
//! - [`StaffTx`] — `insert_staff`, `mark_staff_revoked`, `staff_by_token`.
//! - [`UnitsTx`] — `insert_project`, `project`, `unit`, `unit_by_number`, `insert_unit`.
//! - [`PeopleTx`] — `person`, `person_by_phone`, `activated_people_by_email`,
//!   `insert_person`, `update_person`.
//! - [`MembershipsTx`] — `membership`, `active_membership`, `active_memberships_of`,
//!   `count_active_memberships`, `insert_membership`, `end_membership`.
//! - [`OnboardingTokensTx`] — `onboarding_token`, `insert_onboarding_token`,
//!   `void_unused_onboarding_tokens`, `mark_onboarding_token_used`,
//!   `purge_used_onboarding_tokens`, `purge_expired_onboarding_tokens`.
//! - [`OtpTx`] — `otp_sends`, `record_otp_send`, `insert_otp_request`, `otp_request`,
//!   `count_wrong_otp_attempt`, `delete_otp_request`, `purge_otp_requests`,
//!   `purge_otp_sends`.
//! - [`SessionsTx`] — `insert_session`, `session_by_access`, `session_by_refresh`,
//!   `session`, `mark_session_rotated`, `revoke_session_family`, `revoke_person_sessions`,
//!   `purge_ended_sessions`, `person_session_families`.
//! - [`InvitesTx`] — `insert_invite`, `invite`, `invite_by_code`, `count_pending_invites`,
//!   `mark_invite_revoked`, `mark_invite_accepted`.
//! - [`InviteGuessesTx`] — `guess_failures_since`, `record_guess_failure`,
//!   `forget_guess_failures`.
//! - [`ChangeLogTx`] — `append_change`, `changes_after`, `change_log_head`,
//!   `retention_floor`, `sync_epoch`, `set_sync_epoch`.
//! - [`MutationsTx`] — `mutation`, `record_mutation`.
//! - [`ParcelsTx`] — `insert_parcel`, `parcel`, `set_parcel_photo`.
//! - [`DeviceKeysTx`] — `insert_device_key`, `device_key`, `count_family_device_keys`,
//!   `revoke_family_device_keys`, `revoke_person_device_keys`,
//!   `purge_revoked_device_keys`.
//! - [`FilesTx`] — `insert_file`, `file_meta`, `file_bytes`, `delete_file`.
//!
//! Nothing else: `Storage::add_staff` and `Storage::reissue_onboarding` are provided
//! shortcuts (for the `staff` command line and for tests that prepare a database file)
//! that call the capability modules. The tables an engine stores are documented in
//! [`schema`].
//!
//! Methods are synchronous; HTTP handlers call capability functions on a blocking thread
//! (`state::AppState::db`). Secrets arrive here already digested.

pub mod rows;
pub mod schema;
pub mod sqlite;
pub mod tx;

use chrono::{DateTime, Utc};

use crate::error::{AppError, AppResult};

pub use rows::*;
pub use sqlite::SqliteStorage;
pub use tx::{
    AnnouncementsTx, AuditTx, ChangeLogTx, DeviceKeysTx, FilesTx, InviteGuessesTx, InvitesTx,
    InvoicesTx, MeetingsTx, MembershipsTx, MutationsTx, OnboardingTokensTx, OtpTx, ParcelsTx,
    PeopleTx, PersonalDataTx, PrivacyTx, SessionsTx, StaffTx, Tx, UnitsTx,
};

/// A database engine: opens units of work. See the module documentation.
pub trait Storage: Send + Sync + 'static {
    /// Runs `work` in one serialisable write transaction: committed when it returns
    /// `Ok`, rolled back when it returns `Err` (that error is answered). The engine may
    /// run `work` again after a serialisation failure.
    fn run_write(&self, work: &mut dyn FnMut(&mut dyn Tx) -> AppResult<()>) -> AppResult<()>;

    /// Runs `work` in one read transaction (a consistent snapshot); nothing it writes is
    /// kept.
    fn run_read(&self, work: &mut dyn FnMut(&mut dyn Tx) -> AppResult<()>) -> AppResult<()>;

    /// Adds a staff credential (shortcut for [`crate::staff::add_staff`]).
    fn add_staff(&self, staff: &NewStaff, now: DateTime<Utc>) -> AppResult<()>
    where
        Self: Sized,
    {
        crate::staff::add_staff(self, staff, now)
    }

    /// Issues a new onboarding token for a unit, voiding its unused ones (shortcut for
    /// [`crate::registry::reissue_onboarding`]).
    fn reissue_onboarding(
        &self,
        unit_id: &str,
        token: &NewOnboardingToken,
        now: DateTime<Utc>,
    ) -> AppResult<()>
    where
        Self: Sized,
    {
        crate::registry::reissue_onboarding(self, None, unit_id, token, now)
    }
}

impl dyn Storage {
    /// Runs `work` in one write transaction and answers its result (see
    /// [`Storage::run_write`]).
    pub fn write<T>(&self, mut work: impl FnMut(&mut dyn Tx) -> AppResult<T>) -> AppResult<T> {
        let mut out = None;
        self.run_write(&mut |tx| {
            out = Some(work(tx)?);
            Ok(())
        })?;
        out.ok_or_else(unit_did_not_run)
    }

    /// Like [`write`](#method.write) for work that must keep some effects even when it
    /// fails (a wrong OTP is counted): an inner `Err` commits, then is answered.
    pub fn write_then<T>(
        &self,
        work: impl FnMut(&mut dyn Tx) -> AppResult<AppResult<T>>,
    ) -> AppResult<T> {
        self.write(work)?
    }

    /// Runs `work` in one read transaction and answers its result.
    pub fn read<T>(&self, mut work: impl FnMut(&mut dyn Tx) -> AppResult<T>) -> AppResult<T> {
        let mut out = None;
        self.run_read(&mut |tx| {
            out = Some(work(tx)?);
            Ok(())
        })?;
        out.ok_or_else(unit_did_not_run)
    }
}

fn unit_did_not_run() -> AppError {
    AppError::server("storage", "the unit of work did not run")
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use chrono::Utc;
    use lobby_model::domain::invites::generate_invite_code;
    use lobby_model::protocol::{Mutation, MutationEnvelope, MutationOutcome, Role};
    use uuid::Uuid;

    use super::{Storage, Tx};
    use crate::error::{AppError, AppResult};
    use crate::test_support::world;

    /// An engine of its own, as PostgreSQL would be one: it provides `run_write` and
    /// `run_read` (here over SQLite's `Tx`) and, like a serialisable engine after a
    /// conflict, runs every write unit a second time after throwing the first run away.
    struct RetryingEngine<S> {
        inner: S,
        runs: AtomicUsize,
    }

    impl<S: Storage> Storage for RetryingEngine<S> {
        fn run_write(&self, work: &mut dyn FnMut(&mut dyn Tx) -> AppResult<()>) -> AppResult<()> {
            let aborted = self.inner.run_write(&mut |tx| {
                self.runs.fetch_add(1, Ordering::SeqCst);
                work(tx)?;
                Err(AppError::server("test", "serialisation failure"))
            });
            assert!(aborted.is_err());
            self.runs.fetch_add(1, Ordering::SeqCst);
            self.inner.run_write(work)
        }

        fn run_read(&self, work: &mut dyn FnMut(&mut dyn Tx) -> AppResult<()>) -> AppResult<()> {
            self.inner.run_read(work)
        }
    }

    #[test]
    fn another_engine_needs_only_units_of_work_and_may_rerun_them() {
        let w = world();
        let ctx = w.ctx();
        let engine = RetryingEngine {
            inner: w.db,
            runs: AtomicUsize::new(0),
        };
        let db: &dyn Storage = &engine;
        let env = MutationEnvelope {
            id: Uuid::now_v7(),
            created_at: Utc::now(),
            mutation: Mutation::InviteCreate {
                invite_id: Uuid::now_v7(),
                unit_id: w.unit_id.clone(),
                role: Role::Tenant,
                code: generate_invite_code(),
            },
        };
        let out = crate::mutations::push_one(db, &ctx, &w.owner_id, &env, Utc::now()).unwrap();
        assert_eq!(out, MutationOutcome::Applied);
        assert_eq!(engine.runs.load(Ordering::SeqCst), 2, "the work ran twice");
        let pending = db
            .read(|tx| tx.count_pending_invites(&w.unit_id, Utc::now()))
            .unwrap();
        assert_eq!(pending, 1, "only the committed run counts");
    }
}
