//! [`ConsentsClient`] (`lobby.consents()`): the documents in force and the person's
//! answers — what the app shows on its privacy screen, and what it must ask now.

use chrono::{DateTime, Utc};

use crate::client::Lobby;
use crate::domain::consent::{check_version, must_ask, Answer, ConsentKind};
use crate::error::{ErrorCode, LobbyError, Result};
use crate::protocol::{ConsentAnswer, Mutation};
use crate::store::Store;

/// One kind of consent as the person's privacy screen shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Consent {
    pub kind: ConsentKind,
    /// The version in force; `None` when none is published.
    pub current_version: Option<String>,
    /// The version the person last answered; `None` when never asked.
    pub version: Option<String>,
    /// Their answer: agreed (`true`) or refused / withdrawn (`false`).
    pub given: bool,
    pub at: Option<DateTime<Utc>>,
    /// The answer is queued on this phone, not yet recorded by the server.
    pub pending: bool,
    /// Ask the person now (`domain::consent::must_ask`): a required document not agreed
    /// in its current version, or a marketing notice never answered or replaced since
    /// agreed.
    pub ask: bool,
}

/// Consents (`lobby.consents()`).
pub struct ConsentsClient<'a> {
    lobby: &'a Lobby,
}

impl Lobby {
    /// The consents area.
    pub fn consents(&self) -> ConsentsClient<'_> {
        ConsentsClient { lobby: self }
    }
}

impl ConsentsClient<'_> {
    /// Every kind, in the order to show them, with queued answers laid over the synced.
    pub fn list(&self) -> Result<Vec<Consent>> {
        self.lobby.inner.with_store(|s| s.consents())
    }

    /// The kinds to ask about now (empty: nothing to ask).
    pub fn to_ask(&self) -> Result<Vec<ConsentKind>> {
        Ok(self
            .list()?
            .into_iter()
            .filter(|c| c.ask)
            .map(|c| c.kind)
            .collect())
    }

    /// Agrees to `kind` in `version` (default: the version in force on this phone).
    /// Queued; works offline. The server records it only for the version in force.
    pub fn give(&self, kind: ConsentKind, version: Option<&str>) -> Result<()> {
        let current = self.current(kind)?;
        let version = match version {
            Some(v) => check_version(v)?.to_string(),
            None => current.clone().ok_or_else(|| not_published(kind))?,
        };
        crate::domain::consent::check_answer(kind, &version, true, current.as_deref())?;
        self.queue(kind, version, true)
    }

    /// Withdraws (or refuses) `kind`: recorded, not deleted. For `version`, by default
    /// the version last answered, or the one in force. Queued; works offline.
    pub fn withdraw(&self, kind: ConsentKind, version: Option<&str>) -> Result<()> {
        let version = match version {
            Some(v) => check_version(v)?.to_string(),
            None => {
                let mine = self.list()?.into_iter().find(|c| c.kind == kind);
                mine.as_ref()
                    .and_then(|c| c.version.clone().or(c.current_version.clone()))
                    .ok_or_else(|| not_published(kind))?
            }
        };
        self.queue(kind, version, false)
    }

    fn current(&self, kind: ConsentKind) -> Result<Option<String>> {
        Ok(self
            .list()?
            .into_iter()
            .find(|c| c.kind == kind)
            .and_then(|c| c.current_version))
    }

    fn queue(&self, kind: ConsentKind, version: String, given: bool) -> Result<()> {
        let inner = &self.lobby.inner;
        let person = inner.require_person()?;
        let mutation = Mutation::ConsentSet(ConsentAnswer {
            kind: kind.as_str().to_string(),
            version,
            given,
        });
        inner.with_store_mut(|s| s.enqueue(&person, mutation, Utc::now()))?;
        inner.after_local_write()
    }
}

fn not_published(kind: ConsentKind) -> LobbyError {
    LobbyError::new(
        ErrorCode::NotFound,
        format!(
            "no {} document is in force on this phone yet (sync first)",
            kind.as_str()
        ),
    )
}

impl Store {
    /// Every kind with the version in force and the latest answer (a queued one first).
    pub fn consents(&self) -> crate::store::Result<Vec<Consent>> {
        let mut out = Vec::new();
        for kind in ConsentKind::ALL {
            let k = kind.as_str();
            let current: Option<String> = self
                .conn
                .prepare_cached(
                    "SELECT version FROM policies WHERE kind = ?1
                     ORDER BY published_at DESC LIMIT 1",
                )?
                .query_map([k], |r| r.get(0))?
                .next()
                .transpose()?;
            let queued: Option<(String, bool, DateTime<Utc>)> = self
                .conn
                .prepare_cached(
                    "SELECT version, given, created_at FROM consents_local WHERE kind = ?1
                     ORDER BY created_at DESC, rowid DESC LIMIT 1",
                )?
                .query_map([k], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
                .next()
                .transpose()?;
            let synced: Option<(String, bool, DateTime<Utc>)> = self
                .conn
                .prepare_cached("SELECT version, given, at FROM consents WHERE kind = ?1")?
                .query_map([k], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
                .next()
                .transpose()?;
            let pending = queued.is_some();
            let latest = queued.or(synced).map(|(version, given, at)| Answer {
                kind,
                version,
                given,
                at,
            });
            out.push(Consent {
                kind,
                ask: must_ask(kind, current.as_deref(), latest.as_ref()),
                current_version: current,
                version: latest.as_ref().map(|a| a.version.clone()),
                given: latest.as_ref().is_some_and(|a| a.given),
                at: latest.as_ref().map(|a| a.at),
                pending,
            });
        }
        Ok(out)
    }
}
