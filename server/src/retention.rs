//! Retention (DESIGN.md §2.8, issue 11: "personal data is kept only as long as needed"):
//! the one list of what the server deletes once it has served its purpose, how long each
//! kind is kept, and the run that deletes it.
//!
//! Each [`Category`] says what it deletes, its period, and the storage delete. The
//! decision — what is past its period — is made here and only here:
//! [`Category::cutoff`] is `now - period`, and everything the category counts from a
//! moment at or before the cutoff goes. Storage deletes by that time and decides nothing.
//!
//! | category | kept | why |
//! | --- | --- | --- |
//! | `expired_otp_codes` | 5 min after the code was sent | a code is valid 5 minutes (§2.2); a used one is deleted at once, so what is left is unused and dead |
//! | `otp_send_counts` | 1 day after the send | the send limits count at most a day back (10 a day per destination) |
//! | `unfinished_uploads` | 48 h after the upload started | time for a phone to resume a dropped slip upload (`uploads.rs`) |
//! | `invite_guess_failures` | 15 min after the wrong code | the guessing window (`domain::invites`); older failures count for nothing |
//! | `expired_onboarding_tokens` | 7 days after the token expired, if unused (voided or not) | the phone refuses an expired QR offline; for a week the server still tells one that reaches it why ("expired", "replaced") instead of "unknown" |
//! | `used_onboarding_tokens` | 30 days after it was used | evidence of who onboarded which unit while questions are likely; the membership it made is the lasting record. A token lives at most 30 days, so it has expired by then too |
//! | `closed_sessions` | 30 days after the row ended | recent sign-ins stay available as a security log (the person's session list); after that a closed row says only when someone used the app |
//! | `revoked_device_keys` | 30 days after revocation, once its sign-in's rows are gone | a key is how a pickup pass is checked; it is kept while its sign-in is, and forever when a handover names it (custody evidence) |
//! | `departed_accounts` | 30 days after the person's last membership ended | nothing ties them to a unit any more; they are erased as an approved erasure is (`privacy::erasure`), and an owner never is |
//!
//! What "ended" means for a session row: revoked, or its refresh token expired. A row
//! rotated away is *not* ended: presenting its refresh token again is how a copied token
//! is found (`sessions.rs` revokes the whole family, or answers a retry within a minute),
//! so it stays until its refresh token would have expired anyway. A family's first row
//! (`id = family_id`) records when the sign-in began — an erasure request is judged fresh
//! by it (`privacy::requests`) — so it goes with the family's last row, never before.
//! Live sign-ins lose nothing: their current row has not ended. A revoked device key
//! waits for its sign-in's rows because a sign-in may register only so many keys, and
//! counts its revoked ones.
//!
//! Who runs it: the server's janitor every minute (`server.rs`), and an operator with
//! `POST /v1/admin/retention/run` (`lobby-server admin retention run`). Each category
//! is its own unit of work and deleting is idempotent, so two runs at once, or a second
//! run, delete nothing twice. Each run logs one line per category that removed
//! something — the category and the count, never an id, a phone or a name.
//!
//! Cost: each category is one statement a minute. `closed_sessions` scans the sessions
//! table (there is no index on the end times: about 80 ms per million rows, measured on
//! a 2-core machine); an index on `refresh_expires_at` and `revoked_at` is the remedy if
//! that ever matters.

use chrono::{DateTime, Duration, Utc};
use lobby_model::domain::invites::INVITE_GUESS_WINDOW_SECS;
use lobby_model::domain::otp::OTP_TTL_SECS;

use crate::error::{AppError, AppResult};
use crate::storage::{Storage, Tx};

/// Deletes what the category counts from a moment at or before the cutoff; how many
/// rows went.
pub type Purge = fn(&mut dyn Tx, DateTime<Utc>) -> AppResult<usize>;

/// One kind of data and how long it is kept.
pub struct Category {
    /// How the log and the admin answer name it (stable, snake_case).
    pub name: &'static str,
    /// How long it is kept after the moment the category counts from (see the module
    /// docs' table).
    pub period: Duration,
    pub purge: Purge,
}

impl Category {
    /// Everything counted from this moment or earlier is past its period at `now`.
    pub fn cutoff(&self, now: DateTime<Utc>) -> DateTime<Utc> {
        now - self.period
    }
}

/// A sign-in's closed rows, and the keys it registered, are kept this long.
const SIGN_IN_LOG: Duration = Duration::days(30);
/// How long after its expiry an unused onboarding QR is still explained.
const EXPIRED_QR_EXPLAINED: Duration = Duration::days(7);
/// How long an account is kept after its last membership ended (a person who moves out
/// may be invited back, or ask for their export, for a month).
pub const DEPARTED: Duration = Duration::days(30);
/// How long a used onboarding token is kept as evidence of who onboarded.
const ONBOARDING_EVIDENCE: Duration = Duration::days(30);

/// Every retention category, in the order a run takes them (sessions before the device
/// keys that wait for them).
pub const CATEGORIES: &[Category] = &[
    Category {
        name: "expired_otp_codes",
        period: Duration::seconds(OTP_TTL_SECS),
        purge: |tx, cutoff| tx.purge_otp_requests(cutoff),
    },
    Category {
        name: "otp_send_counts",
        period: crate::otp_requests::SEND_WINDOW,
        purge: |tx, cutoff| tx.purge_otp_sends(cutoff),
    },
    Category {
        name: "unfinished_uploads",
        period: Duration::hours(crate::uploads::UPLOAD_LIFETIME_HOURS),
        purge: |tx, cutoff| tx.purge_uploads(cutoff),
    },
    Category {
        name: "invite_guess_failures",
        period: Duration::seconds(INVITE_GUESS_WINDOW_SECS),
        purge: |tx, cutoff| tx.forget_guess_failures(cutoff),
    },
    Category {
        name: "expired_onboarding_tokens",
        period: EXPIRED_QR_EXPLAINED,
        purge: |tx, cutoff| tx.purge_expired_onboarding_tokens(cutoff),
    },
    Category {
        name: "used_onboarding_tokens",
        period: ONBOARDING_EVIDENCE,
        purge: |tx, cutoff| tx.purge_used_onboarding_tokens(cutoff),
    },
    Category {
        name: "closed_sessions",
        period: SIGN_IN_LOG,
        purge: |tx, cutoff| tx.purge_ended_sessions(cutoff),
    },
    Category {
        name: "revoked_device_keys",
        period: SIGN_IN_LOG,
        purge: |tx, cutoff| tx.purge_revoked_device_keys(cutoff),
    },
    Category {
        name: "departed_accounts",
        period: DEPARTED,
        purge: |tx, cutoff| crate::privacy::erasure::erase_departed(tx, cutoff, cutoff + DEPARTED),
    },
];

/// How many rows of one category a run deleted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Removed {
    pub category: &'static str,
    pub count: usize,
}

/// Deletes what is past its period at `now`, each category in its own unit of work;
/// every category's count, in [`CATEGORIES`] order, zeros included. A category that
/// fails is logged and the others still run; the first failure is then answered.
pub fn run(db: &dyn Storage, now: DateTime<Utc>) -> AppResult<Vec<Removed>> {
    let mut removed = Vec::with_capacity(CATEGORIES.len());
    let mut failed: Option<AppError> = None;
    for category in CATEGORIES {
        let cutoff = category.cutoff(now);
        match db.write(|tx| (category.purge)(tx, cutoff)) {
            Ok(count) => {
                if count > 0 {
                    tracing::info!(category = category.name, removed = count, "retention");
                }
                removed.push(Removed {
                    category: category.name,
                    count,
                });
            }
            Err(e) => {
                tracing::warn!(category = category.name, error = %e.error.message, "retention failed");
                failed.get_or_insert(e);
            }
        }
    }
    match failed {
        Some(e) => Err(e),
        None => Ok(removed),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;
    use std::io::Write;
    use std::sync::{Arc, Mutex};

    use chrono::Utc;

    use super::*;
    use crate::test_support::world;

    #[test]
    fn categories_have_unique_snake_case_names_and_sessions_go_before_their_keys() {
        let names: Vec<&str> = CATEGORIES.iter().map(|c| c.name).collect();
        assert_eq!(names.iter().collect::<HashSet<_>>().len(), names.len());
        for n in &names {
            assert!(
                n.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'),
                "{n}"
            );
        }
        let at = |n: &str| names.iter().position(|x| *x == n);
        assert!(at("closed_sessions") < at("revoked_device_keys"));
    }

    #[test]
    fn the_cutoff_is_the_period_before_now() {
        let now = Utc::now();
        let by_name = |n: &str| {
            CATEGORIES
                .iter()
                .find(|c| c.name == n)
                .map(|c| c.cutoff(now))
        };
        assert_eq!(by_name("closed_sessions"), Some(now - Duration::days(30)));
        assert_eq!(
            by_name("used_onboarding_tokens"),
            Some(now - Duration::days(30))
        );
        assert_eq!(
            by_name("expired_onboarding_tokens"),
            Some(now - Duration::days(7))
        );
        assert_eq!(
            by_name("expired_otp_codes"),
            Some(now - Duration::minutes(5))
        );
        assert_eq!(by_name("otp_send_counts"), Some(now - Duration::days(1)));
        assert_eq!(
            by_name("invite_guess_failures"),
            Some(now - Duration::minutes(15))
        );
        assert_eq!(
            by_name("unfinished_uploads"),
            Some(now - Duration::hours(48))
        );
    }

    /// A log sink for one thread's subscriber.
    #[derive(Clone, Default)]
    struct Captured(Arc<Mutex<Vec<u8>>>);

    impl Write for Captured {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .extend_from_slice(buf);
            Ok(buf.len())
        }

        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn a_run_logs_categories_and_counts_only() {
        let w = world();
        let now = Utc::now();
        let phone_key = "to:0812345678";
        w.db()
            .write(|tx| {
                tx.record_otp_send(phone_key, now - Duration::days(2))?;
                tx.record_guess_failure("phone:0812345678", now - Duration::hours(1))
            })
            .unwrap();
        let sink = Captured::default();
        let writer = sink.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_writer(move || writer.clone())
            .with_ansi(false)
            .finish();
        let removed = tracing::subscriber::with_default(subscriber, || run(w.db(), now)).unwrap();
        let text = String::from_utf8(sink.0.lock().unwrap().clone()).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 2, "{text}");
        assert!(
            lines[0].contains("retention category=\"otp_send_counts\" removed=1"),
            "{text}"
        );
        assert!(
            lines[1].contains("retention category=\"invite_guess_failures\" removed=1"),
            "{text}"
        );
        assert!(
            !text.contains("0812345678") && !text.contains(&w.owner_id),
            "{text}"
        );
        let counted: usize = removed.iter().map(|r| r.count).sum();
        assert_eq!(counted, 2);
        assert_eq!(removed.len(), CATEGORIES.len());
    }
}
