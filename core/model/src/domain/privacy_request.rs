//! Requests a person files under the PDPA (DESIGN.md §2.8): erasure, correction of what
//! only the office may change (a name, a unit, a ratio), objection to processing, and a
//! report that someone else used their account (misuse).
//!
//! - **Deadline:** the office must answer within [`ANSWER_DAYS`] days of filing
//!   ([`deadline`]); staff list open requests by it. A misuse report is a possible
//!   breach of personal data, which the controller must assess and, if it is one, notify
//!   to the regulator within 72 hours of learning of it (PDPA §37(4)): it is due in
//!   [`MISUSE_ANSWER_HOURS`] hours, so it tops the office's list.
//! - **How it is filed:** erasure, correction and objection are queued on the phone like
//!   every change (they work offline). A misuse report is made only together with ending
//!   every sign-in of the account (`POST /v1/auth/logout` with `report_misuse`), in one
//!   unit of work on the server: reporting without locking the intruder out would leave
//!   them in ([`RequestKind::queued`]).
//! - **Answer:** an open request is approved or rejected once ([`decide`]); a rejection
//!   gives its reason (the person is owed one).
//! - **Fresh sign-in:** an erasure request deletes the account, so it is taken only from
//!   a sign-in made in the last [`FRESH_SIGN_IN_MINUTES`] minutes ([`check_fresh`]) — a
//!   phone left unlocked, or a stolen session, cannot erase its owner.

use chrono::{DateTime, Duration, Utc};

use super::name::check_text_block;
use crate::error::{ErrorCode, LobbyError, Result};

/// Days the office has to answer.
pub const ANSWER_DAYS: i64 = 30;
/// How recent a sign-in must be for an erasure request.
pub const FRESH_SIGN_IN_MINUTES: i64 = 10;
/// Hours the office has to look into a misuse report.
pub const MISUSE_ANSWER_HOURS: i64 = 72;
/// Longest detail a request carries.
pub const MAX_DETAIL_CHARS: usize = 2_000;

/// What is asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum RequestKind {
    Erasure,
    Correction,
    Objection,
    /// Someone else used the account; filed with "log out everywhere".
    Misuse,
}

impl RequestKind {
    pub const ALL: [RequestKind; 4] = [
        RequestKind::Erasure,
        RequestKind::Correction,
        RequestKind::Objection,
        RequestKind::Misuse,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RequestKind::Erasure => "erasure",
            RequestKind::Correction => "correction",
            RequestKind::Objection => "objection",
            RequestKind::Misuse => "misuse",
        }
    }

    pub fn parse(s: &str) -> Result<RequestKind> {
        RequestKind::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| {
                LobbyError::invalid("a request is for erasure, correction, objection or misuse")
            })
    }

    /// How long the office has to answer it.
    pub fn answer_within(self) -> Duration {
        match self {
            RequestKind::Misuse => Duration::hours(MISUSE_ANSWER_HOURS),
            _ => Duration::days(ANSWER_DAYS),
        }
    }

    /// Whether the phone queues it as a change (`privacy_request_file`); a misuse report
    /// is made with "log out everywhere" instead.
    pub fn queued(self) -> bool {
        !matches!(self, RequestKind::Misuse)
    }

    /// Whether it is taken only from a fresh sign-in.
    pub fn needs_fresh_sign_in(self) -> bool {
        matches!(self, RequestKind::Erasure)
    }
}

/// Where a request stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum RequestStatus {
    /// Filed, not answered yet.
    Open,
    Approved,
    Rejected,
}

impl RequestStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            RequestStatus::Open => "open",
            RequestStatus::Approved => "approved",
            RequestStatus::Rejected => "rejected",
        }
    }

    pub fn parse(s: &str) -> Result<RequestStatus> {
        match s {
            "open" => Ok(RequestStatus::Open),
            "approved" => Ok(RequestStatus::Approved),
            "rejected" => Ok(RequestStatus::Rejected),
            _ => Err(LobbyError::invalid("unknown request status")),
        }
    }
}

/// When the office must have answered a request of `kind` filed at `filed_at`.
pub fn deadline(kind: RequestKind, filed_at: DateTime<Utc>) -> DateTime<Utc> {
    filed_at + kind.answer_within()
}

/// `invalid_input` for a kind that is not filed as a queued change (a misuse report:
/// `auth().report_misuse`, which also ends every sign-in).
pub fn check_queued(kind: RequestKind) -> Result<()> {
    if kind.queued() {
        Ok(())
    } else {
        Err(LobbyError::invalid(
            "misuse is reported together with logging out everywhere (it locks the other person out too), not as a request on its own",
        ))
    }
}

/// The shape of a sign-out (`POST /v1/auth/logout`): a misuse report is made only with
/// ending every sign-in (`everywhere`) — reporting without locking the other person out
/// would leave them in — and a detail only goes with a report.
pub fn check_sign_out(everywhere: bool, report_misuse: bool, has_detail: bool) -> Result<()> {
    if has_detail && !report_misuse {
        return Err(LobbyError::invalid("a detail goes with report_misuse"));
    }
    if report_misuse && !everywhere {
        return Err(LobbyError::invalid(
            "a misuse report ends every sign-in: send it with everywhere",
        ));
    }
    Ok(())
}

/// The request's detail: optional for an erasure or objection, required for a correction
/// (what is wrong, what it should be); Thai text with line breaks, at most
/// [`MAX_DETAIL_CHARS`].
pub fn check_detail(kind: RequestKind, detail: Option<&str>) -> Result<Option<String>> {
    let detail = detail.map(str::trim).filter(|d| !d.is_empty());
    match (kind, detail) {
        (RequestKind::Correction, None) => Err(LobbyError::invalid(
            "a correction says what is wrong and what it should be",
        )),
        (_, None) => Ok(None),
        (_, Some(d)) => Ok(Some(check_text_block(
            d,
            "the request's detail",
            MAX_DETAIL_CHARS,
        )?)),
    }
}

/// `reauth_required` unless the sign-in the request comes from is fresh enough for it.
pub fn check_fresh(
    kind: RequestKind,
    signed_in_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<()> {
    if kind.needs_fresh_sign_in() {
        check_fresh_sign_in("an erasure request", signed_in_at, now)?;
    }
    Ok(())
}

/// `reauth_required` unless the sign-in was made in the last [`FRESH_SIGN_IN_MINUTES`]
/// minutes: what an erasure request and an export of everything held (`what`) need.
pub fn check_fresh_sign_in(
    what: &str,
    signed_in_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<()> {
    if now - signed_in_at > Duration::minutes(FRESH_SIGN_IN_MINUTES) {
        return Err(LobbyError::new(
            ErrorCode::ReauthRequired,
            format!(
                "{what} needs a sign-in from the last {FRESH_SIGN_IN_MINUTES} minutes: sign in again, then repeat it"
            ),
        ));
    }
    Ok(())
}

/// The answer to an open request: approved, or rejected with its reason. `conflict` for
/// a request already answered.
pub fn decide(
    status: RequestStatus,
    approve: bool,
    reason: Option<&str>,
) -> Result<(RequestStatus, Option<String>)> {
    if status != RequestStatus::Open {
        return Err(LobbyError::new(
            ErrorCode::Conflict,
            format!("this request was {} already", status.as_str()),
        ));
    }
    let reason = reason.map(str::trim).filter(|r| !r.is_empty());
    let reason = reason
        .map(|r| check_text_block(r, "the reason", MAX_DETAIL_CHARS))
        .transpose()?;
    if approve {
        Ok((RequestStatus::Approved, reason))
    } else {
        match reason {
            Some(r) => Ok((RequestStatus::Rejected, Some(r))),
            None => Err(LobbyError::invalid("a rejection gives its reason")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(min: i64) -> DateTime<Utc> {
        DateTime::<Utc>::from_timestamp(1_795_000_000 + min * 60, 0).unwrap()
    }

    #[test]
    fn a_misuse_report_goes_only_with_logging_out_everywhere_and_a_detail_only_with_it() {
        assert!(check_sign_out(false, false, false).is_ok());
        assert!(check_sign_out(true, false, false).is_ok());
        assert!(check_sign_out(true, true, false).is_ok());
        assert!(check_sign_out(true, true, true).is_ok());
        for (everywhere, report, detail) in [
            (false, true, false),
            (false, true, true),
            (true, false, true),
            (false, false, true),
        ] {
            assert_eq!(
                check_sign_out(everywhere, report, detail).unwrap_err().code,
                ErrorCode::InvalidInput,
                "{everywhere} {report} {detail}"
            );
        }
    }

    #[test]
    fn the_office_has_thirty_days_and_72_hours_for_a_misuse_report() {
        for kind in [
            RequestKind::Erasure,
            RequestKind::Correction,
            RequestKind::Objection,
        ] {
            assert_eq!(deadline(kind, t(0)) - t(0), Duration::days(30));
            assert!(check_queued(kind).is_ok());
        }
        assert_eq!(
            deadline(RequestKind::Misuse, t(0)) - t(0),
            Duration::hours(72)
        );
        assert_eq!(
            check_queued(RequestKind::Misuse).unwrap_err().code,
            ErrorCode::InvalidInput
        );
        assert_eq!(RequestKind::parse("misuse").unwrap(), RequestKind::Misuse);
    }

    #[test]
    fn only_an_erasure_needs_a_fresh_sign_in() {
        assert!(check_fresh(RequestKind::Erasure, t(0), t(10)).is_ok());
        assert_eq!(
            check_fresh(RequestKind::Erasure, t(0), t(11))
                .unwrap_err()
                .code,
            ErrorCode::ReauthRequired
        );
        assert!(check_fresh(RequestKind::Objection, t(0), t(60 * 24)).is_ok());
        assert!(check_fresh(RequestKind::Correction, t(0), t(60 * 24)).is_ok());
    }

    #[test]
    fn details_and_answers() {
        assert!(check_detail(RequestKind::Correction, None).is_err());
        assert!(check_detail(RequestKind::Correction, Some("  ")).is_err());
        assert_eq!(
            check_detail(RequestKind::Correction, Some("ชื่อสกุลผิด: ใจดี → ใจงาม")).unwrap(),
            Some("ชื่อสกุลผิด: ใจดี → ใจงาม".to_string())
        );
        assert_eq!(check_detail(RequestKind::Erasure, None).unwrap(), None);
        assert!(check_detail(RequestKind::Objection, Some(&"ก".repeat(2_001))).is_err());
        assert!(check_detail(RequestKind::Objection, Some("ปลอม\u{202E}")).is_err());

        assert_eq!(
            decide(RequestStatus::Open, true, None).unwrap(),
            (RequestStatus::Approved, None)
        );
        assert_eq!(
            decide(RequestStatus::Open, false, None).unwrap_err().code,
            ErrorCode::InvalidInput
        );
        assert_eq!(
            decide(RequestStatus::Open, false, Some("ยังเป็นเจ้าของห้อง")).unwrap(),
            (RequestStatus::Rejected, Some("ยังเป็นเจ้าของห้อง".to_string()))
        );
        assert_eq!(
            decide(RequestStatus::Approved, true, None)
                .unwrap_err()
                .code,
            ErrorCode::Conflict
        );
        assert_eq!(
            RequestKind::parse("objection").unwrap(),
            RequestKind::Objection
        );
        assert!(RequestKind::parse("export").is_err());
    }
}
