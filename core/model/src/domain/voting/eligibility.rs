//! Who may vote, and who may hold proxies (DESIGN.md §2.7).
//!
//! - For each unit, its **owner** votes, or the unit's **registered proxy** for that
//!   meeting. A resident or tenant never votes, whoever they are.
//! - A unit **in arrears for 6 months or more** does not vote at a *general* meeting
//!   (annual or extraordinary; s.18/1). A committee meeting is not a general meeting.
//! - A **proxy holder** may hold at most [`MAX_PROXY_UNITS`] units per meeting (s.47);
//!   board members, the manager, their spouses and the office's staff may hold none.
//!
//! Each refusal has its stable code: `not_eligible`, `proxy_limit`.

use crate::error::{ErrorCode, LobbyError, Result};

/// Most units one person may hold by proxy at one meeting (s.47).
pub const MAX_PROXY_UNITS: usize = 3;
/// Months of unpaid common fees from which a unit does not vote at a general meeting.
pub const ARREARS_MONTHS_BARRED: u32 = 6;

/// Most months of arrears staff may record (a century; anything above is a typo).
pub const MAX_ARREARS_MONTHS: u32 = 1200;

/// Checks a number of months in arrears staff record for a unit.
pub fn check_arrears_months(months: u32) -> Result<u32> {
    if months > MAX_ARREARS_MONTHS {
        return Err(LobbyError::invalid(format!(
            "months in arrears are 0 to {MAX_ARREARS_MONTHS}"
        )));
    }
    Ok(months)
}

/// The kind of meeting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MeetingKind {
    Annual,
    Extraordinary,
    Committee,
}

impl MeetingKind {
    pub fn as_str(self) -> &'static str {
        match self {
            MeetingKind::Annual => "annual",
            MeetingKind::Extraordinary => "extraordinary",
            MeetingKind::Committee => "committee",
        }
    }

    pub fn parse(s: &str) -> Result<MeetingKind> {
        match s {
            "annual" => Ok(MeetingKind::Annual),
            "extraordinary" => Ok(MeetingKind::Extraordinary),
            "committee" => Ok(MeetingKind::Committee),
            _ => Err(LobbyError::invalid(
                "a meeting is annual, extraordinary or committee",
            )),
        }
    }

    /// A meeting of all co-owners (where the arrears rule applies).
    pub fn is_general(self) -> bool {
        matches!(self, MeetingKind::Annual | MeetingKind::Extraordinary)
    }
}

/// How a person stands to a unit at a meeting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    Owner,
    /// Registered as the unit's proxy for this meeting.
    Proxy,
    /// A resident or tenant, or a person with nothing to do with the unit.
    Other,
}

fn not_eligible(why: &str) -> LobbyError {
    LobbyError::new(ErrorCode::NotEligible, why.to_string())
}

/// Whether the unit may vote at a meeting of `kind` at all (the arrears rule).
pub fn unit_may_vote(kind: MeetingKind, arrears_months: u32) -> bool {
    !(kind.is_general() && arrears_months >= ARREARS_MONTHS_BARRED)
}

/// Checks that a person standing to the unit as `standing` may cast its vote.
pub fn check_voter(kind: MeetingKind, standing: Standing, arrears_months: u32) -> Result<()> {
    if standing == Standing::Other {
        return Err(not_eligible(
            "only the unit's owner or its registered proxy votes for it (residents and tenants do not)",
        ));
    }
    if !unit_may_vote(kind, arrears_months) {
        return Err(not_eligible(&format!(
            "the unit is {arrears_months} months in arrears and does not vote at a general meeting (s.18/1)"
        )));
    }
    Ok(())
}

/// Why a person may not hold proxies at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProxyBar {
    BoardMember,
    Manager,
    SpouseOfBoardOrManager,
    OfficeStaff,
}

impl ProxyBar {
    /// The roster's name for the role: `board`, `manager`, `spouse`, `staff`.
    pub fn as_str(self) -> &'static str {
        match self {
            ProxyBar::BoardMember => "board",
            ProxyBar::Manager => "manager",
            ProxyBar::SpouseOfBoardOrManager => "spouse",
            ProxyBar::OfficeStaff => "staff",
        }
    }

    /// `invalid_input` for anything but `board`, `manager`, `spouse`, `staff`.
    pub fn parse(s: &str) -> Result<ProxyBar> {
        match s {
            "board" => Ok(ProxyBar::BoardMember),
            "manager" => Ok(ProxyBar::Manager),
            "spouse" => Ok(ProxyBar::SpouseOfBoardOrManager),
            "staff" => Ok(ProxyBar::OfficeStaff),
            _ => Err(LobbyError::invalid(
                "a role is board, manager, spouse (of a board member or the manager) or staff",
            )),
        }
    }
}

/// Checks that a holder with `bars` and already `units_held` units at this meeting may
/// hold one more: `not_eligible` for a barred person, `proxy_limit` past 3 units.
pub fn check_proxy_holder(bars: &[ProxyBar], units_held: usize) -> Result<()> {
    if let Some(bar) = bars.first() {
        let who = match bar {
            ProxyBar::BoardMember => "a board member",
            ProxyBar::Manager => "the manager",
            ProxyBar::SpouseOfBoardOrManager => "the spouse of a board member or the manager",
            ProxyBar::OfficeStaff => "the office's staff",
        };
        return Err(not_eligible(&format!("{who} may not hold proxies (s.47)")));
    }
    if units_held >= MAX_PROXY_UNITS {
        return Err(LobbyError::new(
            ErrorCode::ProxyLimit,
            format!(
                "one person may hold at most {MAX_PROXY_UNITS} units by proxy at a meeting (s.47)"
            ),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn owners_and_proxies_vote_residents_and_tenants_never() {
        for kind in [
            MeetingKind::Annual,
            MeetingKind::Extraordinary,
            MeetingKind::Committee,
        ] {
            assert!(check_voter(kind, Standing::Owner, 0).is_ok());
            assert!(check_voter(kind, Standing::Proxy, 0).is_ok());
            assert_eq!(
                check_voter(kind, Standing::Other, 0).unwrap_err().code,
                ErrorCode::NotEligible
            );
        }
    }

    #[test]
    fn six_months_of_arrears_bar_a_unit_at_general_meetings_only() {
        let cases = [
            (MeetingKind::Annual, 5, true),
            (MeetingKind::Annual, 6, false),
            (MeetingKind::Extraordinary, 12, false),
            (MeetingKind::Committee, 12, true),
        ];
        for (kind, months, may) in cases {
            assert_eq!(unit_may_vote(kind, months), may, "{kind:?} {months}");
            assert_eq!(check_voter(kind, Standing::Owner, months).is_ok(), may);
            assert_eq!(check_voter(kind, Standing::Proxy, months).is_ok(), may);
        }
    }

    #[test]
    fn a_holder_takes_three_units_and_barred_people_none() {
        for held in 0..MAX_PROXY_UNITS {
            assert!(check_proxy_holder(&[], held).is_ok());
        }
        assert_eq!(
            check_proxy_holder(&[], 3).unwrap_err().code,
            ErrorCode::ProxyLimit
        );
        for bar in [
            ProxyBar::BoardMember,
            ProxyBar::Manager,
            ProxyBar::SpouseOfBoardOrManager,
            ProxyBar::OfficeStaff,
        ] {
            assert_eq!(
                check_proxy_holder(&[bar], 0).unwrap_err().code,
                ErrorCode::NotEligible
            );
        }
    }

    #[test]
    fn arrears_are_zero_to_a_century() {
        assert_eq!(check_arrears_months(0).unwrap(), 0);
        assert_eq!(
            check_arrears_months(MAX_ARREARS_MONTHS).unwrap(),
            MAX_ARREARS_MONTHS
        );
        assert!(check_arrears_months(MAX_ARREARS_MONTHS + 1).is_err());
    }

    #[test]
    fn meeting_kinds_read_back() {
        for k in [
            MeetingKind::Annual,
            MeetingKind::Extraordinary,
            MeetingKind::Committee,
        ] {
            assert_eq!(MeetingKind::parse(k.as_str()).unwrap(), k);
        }
        assert!(MeetingKind::parse("general").is_err());
    }
}
