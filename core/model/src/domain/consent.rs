//! Consents under the PDPA (DESIGN.md §2.8): the terms of use, the privacy policy and
//! marketing messages, each answered separately, each answer recorded with the version of
//! the document it answers and when — a withdrawal is an answer too, recorded, never a
//! deletion.
//!
//! Which documents to show the person again is one rule, [`to_ask`]: the terms and the
//! privacy policy must be accepted in their current version (a new version published
//! asks again); marketing is optional — asked when never answered, or when the version
//! the person agreed to has been replaced (an agreement covers the text agreed to), but a
//! refusal stands until the person changes it.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::error::{LobbyError, Result};

/// What a consent is given to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum ConsentKind {
    Terms,
    Privacy,
    Marketing,
}

impl ConsentKind {
    /// Every kind, in the order an app shows them.
    pub const ALL: [ConsentKind; 3] = [
        ConsentKind::Terms,
        ConsentKind::Privacy,
        ConsentKind::Marketing,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ConsentKind::Terms => "terms",
            ConsentKind::Privacy => "privacy",
            ConsentKind::Marketing => "marketing",
        }
    }

    pub fn parse(s: &str) -> Result<ConsentKind> {
        ConsentKind::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| LobbyError::invalid("a consent is to terms, privacy or marketing"))
    }

    /// Whether the service can be used without it (only marketing can).
    pub fn required(self) -> bool {
        !matches!(self, ConsentKind::Marketing)
    }
}

/// A document version: 1 to 32 letters, digits, `.`, `-` or `_` (`2026-12`, `v3.1`).
pub fn check_version(version: &str) -> Result<&str> {
    let ok = !version.is_empty()
        && version.len() <= 32
        && version
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_'));
    if ok {
        Ok(version)
    } else {
        Err(LobbyError::invalid(
            "a document version is 1 to 32 letters, digits, '.', '-' or '_'",
        ))
    }
}

/// How many answers one request may carry: one per kind.
pub const MAX_ANSWERS: usize = ConsentKind::ALL.len();

/// Answers given together (at onboarding), as `(kind, version, given)`: at most
/// [`MAX_ANSWERS`] (checked first, before anything is parsed), each kind known, each
/// version well formed, at most one per kind — two answers about one document would leave
/// which one stands to their order. Whether an agreement is to the version in force is
/// [`check_answer`]'s, once the versions are known.
pub fn check_answers<'a>(
    answers: &[(&str, &'a str, bool)],
) -> Result<Vec<(ConsentKind, &'a str, bool)>> {
    if answers.len() > MAX_ANSWERS {
        return Err(LobbyError::invalid(format!(
            "at most {MAX_ANSWERS} consent answers, one per document"
        )));
    }
    let mut out: Vec<(ConsentKind, &'a str, bool)> = Vec::with_capacity(answers.len());
    for &(kind, version, given) in answers {
        let kind = ConsentKind::parse(kind)?;
        let version = check_version(version)?;
        if out.iter().any(|(k, _, _)| *k == kind) {
            return Err(LobbyError::invalid(format!(
                "the {} document is answered twice; answer it once",
                kind.as_str()
            )));
        }
        out.push((kind, version, given));
    }
    Ok(out)
}

/// The person's latest answer about one kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    pub kind: ConsentKind,
    /// The version of the document answered.
    pub version: String,
    pub given: bool,
    pub at: DateTime<Utc>,
}

/// Whether the person must be asked about `kind` now, given the version in force
/// (`current`, `None` when none is published) and their latest answer.
pub fn must_ask(kind: ConsentKind, current: Option<&str>, latest: Option<&Answer>) -> bool {
    let Some(current) = current else {
        return false; // nothing to agree to
    };
    match latest {
        None => true,
        Some(a) if kind.required() => !(a.given && a.version == current),
        Some(a) => a.given && a.version != current,
    }
}

/// The kinds to ask about now, in [`ConsentKind::ALL`] order.
pub fn to_ask(current: &[(ConsentKind, String)], latest: &[Answer]) -> Vec<ConsentKind> {
    ConsentKind::ALL
        .into_iter()
        .filter(|k| {
            let cur = current
                .iter()
                .find(|(c, _)| c == k)
                .map(|(_, v)| v.as_str());
            must_ask(*k, cur, latest.iter().find(|a| a.kind == *k))
        })
        .collect()
}

/// Whether an answer may be recorded: an agreement is to the version in force only
/// (agreeing to a replaced text means nothing); a withdrawal names any version the person
/// agreed to, or the one in force.
pub fn check_answer(
    kind: ConsentKind,
    version: &str,
    given: bool,
    current: Option<&str>,
) -> Result<()> {
    check_version(version)?;
    match current {
        None => Err(LobbyError::new(
            crate::ErrorCode::NotFound,
            format!("no {} document is published", kind.as_str()),
        )),
        Some(c) if given && c != version => Err(LobbyError::new(
            crate::ErrorCode::Conflict,
            format!(
                "the {} document in force is now version {c}; read it and agree to that one",
                kind.as_str()
            ),
        )),
        Some(_) => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ConsentKind::*;

    fn answer(kind: ConsentKind, version: &str, given: bool) -> Answer {
        Answer {
            kind,
            version: version.into(),
            given,
            at: DateTime::<Utc>::from_timestamp(1_795_000_000, 0).unwrap(),
        }
    }

    #[test]
    fn who_is_asked_what() {
        // (kind, in force, latest answer (version, given)) -> ask?
        type Case<'a> = (ConsentKind, Option<&'a str>, Option<(&'a str, bool)>, bool);
        let cases: &[Case] = &[
            (Terms, None, None, false),
            (Terms, Some("1"), None, true),
            (Terms, Some("1"), Some(("1", true)), false),
            (Terms, Some("2"), Some(("1", true)), true),
            (Terms, Some("1"), Some(("1", false)), true),
            (Privacy, Some("2"), Some(("2", true)), false),
            (Privacy, Some("2"), Some(("2", false)), true),
            (Marketing, None, None, false),
            (Marketing, Some("1"), None, true),
            (Marketing, Some("1"), Some(("1", true)), false),
            (Marketing, Some("2"), Some(("1", true)), true),
            (Marketing, Some("1"), Some(("1", false)), false),
            (Marketing, Some("2"), Some(("1", false)), false),
        ];
        for &(kind, current, latest, ask) in cases {
            let latest = latest.map(|(v, g)| answer(kind, v, g));
            assert_eq!(
                must_ask(kind, current, latest.as_ref()),
                ask,
                "{kind:?} {current:?} {latest:?}"
            );
        }
        let current = vec![(Terms, "2".to_string()), (Marketing, "1".to_string())];
        let latest = vec![answer(Terms, "1", true), answer(Marketing, "1", false)];
        assert_eq!(to_ask(&current, &latest), [Terms]);
    }

    #[test]
    fn an_agreement_is_to_the_text_in_force() {
        assert!(check_answer(Terms, "2", true, Some("2")).is_ok());
        assert_eq!(
            check_answer(Terms, "1", true, Some("2")).unwrap_err().code,
            crate::ErrorCode::Conflict
        );
        assert!(check_answer(Marketing, "1", false, Some("2")).is_ok());
        assert_eq!(
            check_answer(Privacy, "1", true, None).unwrap_err().code,
            crate::ErrorCode::NotFound
        );
        for bad in ["", "v 1", "๒๕๖๙", &"9".repeat(33)] {
            assert!(check_version(bad).is_err(), "{bad}");
        }
        assert_eq!(ConsentKind::parse("marketing").unwrap(), Marketing);
        assert!(ConsentKind::parse("cookies").is_err());
    }

    #[test]
    fn answers_given_together_are_one_per_known_kind() {
        assert_eq!(check_answers(&[]).unwrap(), []);
        assert_eq!(
            check_answers(&[("terms", "2026-12", true), ("marketing", "1", false)]).unwrap(),
            [(Terms, "2026-12", true), (Marketing, "1", false)]
        );
        let all = [
            ("terms", "1", true),
            ("privacy", "1", true),
            ("marketing", "1", false),
        ];
        assert_eq!(check_answers(&all).unwrap().len(), MAX_ANSWERS);
        let refused: &[&[(&str, &str, bool)]] = &[
            &[("cookies", "1", true)],
            &[("Terms", "1", true)],
            &[("terms", "v 1", true)],
            &[("privacy", "", true)],
            &[("privacy", "๒๕๖๙", true)],
            &[("terms", "1", true), ("terms", "1", false)],
            &[
                ("terms", "1", true),
                ("privacy", "1", true),
                ("terms", "2", true),
            ],
            &[
                ("terms", "1", true),
                ("privacy", "1", true),
                ("marketing", "1", true),
                ("marketing", "1", true),
            ],
        ];
        for answers in refused {
            let e = check_answers(answers).unwrap_err();
            assert_eq!(e.code, crate::ErrorCode::InvalidInput, "{answers:?}");
        }
        let many = vec![("cookies", "", true); 1000];
        assert!(check_answers(&many)
            .unwrap_err()
            .message
            .contains("at most 3"));
    }
}
