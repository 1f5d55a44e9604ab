//! Announcements (DESIGN.md §2.5): what staff may post, and when one counts as unread.
//!
//! - **Posting:** a title by the one name rule (at most [`MAX_TITLE_CHARS`]); a body of
//!   Thai text with line breaks (at most [`MAX_BODY_CHARS`], the same rule for a block);
//!   kind `general` or `acknowledge`; an expiry, if any, in the future.
//! - **Unread:** a *general* announcement is read once the person opened it or opened and
//!   left the list after it arrived; an *acknowledge* one only once that announcement
//!   itself was opened (which records the acknowledgement). Expired ones do not count.
//!   The phone computes counts per unit from its replica, offline, with [`is_unread`].

use chrono::{DateTime, Utc};

use super::name::{check_name, check_text_block};
use crate::error::{LobbyError, Result};

pub const MAX_TITLE_CHARS: usize = 200;
/// About ten printed pages of Thai.
pub const MAX_BODY_CHARS: usize = 20_000;

/// The two kinds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum AnnouncementKind {
    General,
    /// Must be opened one by one; opening it acknowledges it.
    Acknowledge,
}

impl AnnouncementKind {
    pub fn as_str(self) -> &'static str {
        match self {
            AnnouncementKind::General => "general",
            AnnouncementKind::Acknowledge => "acknowledge",
        }
    }

    pub fn parse(s: &str) -> Result<AnnouncementKind> {
        match s {
            "general" => Ok(AnnouncementKind::General),
            "acknowledge" => Ok(AnnouncementKind::Acknowledge),
            _ => Err(LobbyError::invalid(
                "an announcement is general or acknowledge",
            )),
        }
    }
}

/// A checked announcement's text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedText {
    pub title: String,
    pub body: String,
}

/// Checks what staff post; `now` decides whether an expiry is in the future.
pub fn check_post(
    title: &str,
    body: &str,
    expires_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Result<CheckedText> {
    let title = check_name(title, "the title", MAX_TITLE_CHARS)?;
    let body = check_text_block(body, "the body", MAX_BODY_CHARS)?;
    if expires_at.is_some_and(|e| e <= now) {
        return Err(LobbyError::invalid("the expiry must be in the future"));
    }
    Ok(CheckedText { title, body })
}

/// What the phone knows of one announcement for the unread count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReadState {
    pub kind: AnnouncementKind,
    pub posted_at: DateTime<Utc>,
    pub expires_at: Option<DateTime<Utc>>,
    /// The person opened this announcement (for an acknowledge kind: acknowledged).
    pub opened: bool,
}

/// Whether it still counts as unread on `now`, given when the person last opened and
/// left the list (`list_left_at`).
pub fn is_unread(a: &ReadState, list_left_at: Option<DateTime<Utc>>, now: DateTime<Utc>) -> bool {
    if a.opened || a.expires_at.is_some_and(|e| e <= now) {
        return false;
    }
    match a.kind {
        AnnouncementKind::Acknowledge => true,
        AnnouncementKind::General => list_left_at.is_none_or(|left| left < a.posted_at),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000 + s, 0).unwrap()
    }

    #[test]
    fn a_post_has_a_name_like_title_a_multiline_thai_body_and_a_future_expiry() {
        let ok = check_post(
            " งดจ่ายน้ำ วันอังคาร ",
            "เรียนท่านเจ้าของร่วม\r\n\tจะงดจ่ายน้ำวันอังคาร 09:00–12:00\n\nนิติบุคคลฯ",
            Some(t(60)),
            t(0),
        )
        .unwrap();
        assert_eq!(ok.title, "งดจ่ายน้ำ วันอังคาร");
        assert!(ok.body.contains("\n\tจะงดจ่ายน้ำ"));
        assert!(!ok.body.contains('\r'));
        for (title, body) in [
            ("", "x"),
            ("x", " \n "),
            ("x", "a\u{202E}b"),
            ("a\nb", "x"),
            ("x", "bell\u{7}"),
        ] {
            assert!(
                check_post(title, body, None, t(0)).is_err(),
                "{title:?} {body:?}"
            );
        }
        let long = "ก".repeat(MAX_BODY_CHARS + 1);
        assert!(check_post("x", &long, None, t(0)).is_err());
        assert!(check_post("x", &long[..long.len() - 3], None, t(0)).is_ok());
        assert!(check_post("x", "y", Some(t(0)), t(0)).is_err());
    }

    #[test]
    fn general_clears_with_the_list_acknowledge_only_when_opened() {
        let general = ReadState {
            kind: AnnouncementKind::General,
            posted_at: t(10),
            expires_at: None,
            opened: false,
        };
        let ack = ReadState {
            kind: AnnouncementKind::Acknowledge,
            ..general
        };
        assert!(is_unread(&general, None, t(20)));
        assert!(
            is_unread(&general, Some(t(5)), t(20)),
            "left before it came"
        );
        assert!(!is_unread(&general, Some(t(15)), t(20)));
        assert!(is_unread(&ack, Some(t(15)), t(20)));
        assert!(!is_unread(
            &ReadState {
                opened: true,
                ..ack
            },
            None,
            t(20)
        ));
        let expired = ReadState {
            expires_at: Some(t(15)),
            ..ack
        };
        assert!(!is_unread(&expired, None, t(20)));
        assert!(is_unread(&expired, None, t(14)));
    }
}
