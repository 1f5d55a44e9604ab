//! [`PrivacyClient`] (`lobby.privacy()`): the person's privacy requests — erasure,
//! correction of what only the office may change, objection — filed from the phone
//! (queued, works offline), each with its 30-day deadline, status and the office's
//! answer as they sync back.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::client::Lobby;
use crate::domain::privacy_request::{
    check_detail, check_queued, deadline, RequestKind, RequestStatus,
};
use crate::error::Result;
use crate::protocol::Mutation;
use crate::store::{OutboxState, Store};

/// One request as the person's privacy screen shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct PrivacyRequest {
    pub request_id: String,
    pub kind: RequestKind,
    pub detail: Option<String>,
    pub status: RequestStatus,
    pub filed_at: DateTime<Utc>,
    /// When the office must have answered.
    pub deadline: DateTime<Utc>,
    /// The office's reason or note.
    pub answer: Option<String>,
    /// Filed on this phone, not yet received by the server.
    pub pending: bool,
    /// The server refused it (`reauth_required` for an erasure without a fresh sign-in,
    /// `invalid_input`…): its error code. The request is then not filed.
    pub refused: Option<String>,
}

/// Privacy requests (`lobby.privacy()`).
pub struct PrivacyClient<'a> {
    pub(super) lobby: &'a Lobby,
}

impl Lobby {
    /// The privacy requests area.
    pub fn privacy(&self) -> PrivacyClient<'_> {
        PrivacyClient { lobby: self }
    }
}

impl PrivacyClient<'_> {
    /// Files a request; queued (offline too) and shown at once as open. An erasure is
    /// taken by the server only from a sign-in of the last 10 minutes: sign in again
    /// first, or it comes back refused `reauth_required`.
    /// A misuse report is not filed here: `auth().report_misuse` files it and ends every
    /// sign-in at once (`invalid_input`).
    pub fn file_request(&self, kind: RequestKind, detail: Option<&str>) -> Result<PrivacyRequest> {
        check_queued(kind)?;
        let detail = check_detail(kind, detail)?;
        let inner = &self.lobby.inner;
        let person = inner.require_person()?;
        let request_id = Uuid::now_v7();
        let mutation = Mutation::PrivacyRequestFile {
            request_id,
            kind: kind.as_str().to_string(),
            detail,
        };
        inner.with_store_mut(|s| s.enqueue(&person, mutation, Utc::now()))?;
        inner.after_local_write()?;
        let id = request_id.to_string();
        self.requests()?
            .into_iter()
            .find(|r| r.request_id == id)
            .ok_or_else(|| crate::error::LobbyError::internal("the filed request is missing"))
    }

    /// The person's requests, newest first: synced ones, those queued here, and those
    /// the server refused (with their code; such a request was not filed).
    pub fn requests(&self) -> Result<Vec<PrivacyRequest>> {
        let mut out = self.lobby.inner.with_store(|s| s.privacy_requests())?;
        for e in self.lobby.outbox()? {
            if e.state != OutboxState::Rejected {
                continue;
            }
            if let Mutation::PrivacyRequestFile {
                request_id,
                kind,
                detail,
            } = &e.envelope.mutation
            {
                let Ok(kind) = RequestKind::parse(kind) else {
                    continue;
                };
                out.push(PrivacyRequest {
                    request_id: request_id.to_string(),
                    kind,
                    detail: detail.clone(),
                    status: RequestStatus::Open,
                    filed_at: e.envelope.created_at,
                    deadline: deadline(kind, e.envelope.created_at),
                    answer: None,
                    pending: false,
                    refused: Some(e.reject_code.clone().unwrap_or_default()),
                });
            }
        }
        out.sort_by(|a, b| {
            b.filed_at
                .cmp(&a.filed_at)
                .then(b.request_id.cmp(&a.request_id))
        });
        Ok(out)
    }
}

impl Store {
    /// Synced requests and those still queued on this phone, newest first.
    pub fn privacy_requests(&self) -> crate::store::Result<Vec<PrivacyRequest>> {
        let mut out: Vec<PrivacyRequest> = Vec::new();
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, kind, detail, status, filed_at, deadline, answer FROM privacy_requests",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, Option<String>>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, DateTime<Utc>>(4)?,
                r.get::<_, DateTime<Utc>>(5)?,
                r.get::<_, Option<String>>(6)?,
            ))
        })?;
        for row in rows {
            let (request_id, kind, detail, status, filed_at, deadline, answer) = row?;
            let (Ok(kind), Ok(status)) = (RequestKind::parse(&kind), RequestStatus::parse(&status))
            else {
                continue; // a kind or status from a newer server
            };
            out.push(PrivacyRequest {
                request_id,
                kind,
                detail,
                status,
                filed_at,
                deadline,
                answer,
                pending: false,
                refused: None,
            });
        }
        let mut stmt = self.conn.prepare_cached(
            "SELECT request_id, kind, detail, created_at FROM privacy_requests_local",
        )?;
        let queued = stmt.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, Option<String>>(2)?,
                r.get::<_, DateTime<Utc>>(3)?,
            ))
        })?;
        for row in queued {
            let (request_id, kind, detail, filed_at) = row?;
            let Ok(kind) = RequestKind::parse(&kind) else {
                continue;
            };
            if out.iter().any(|r| r.request_id == request_id) {
                continue; // the server's record is here already
            }
            out.push(PrivacyRequest {
                request_id,
                kind,
                detail,
                status: RequestStatus::Open,
                filed_at,
                deadline: deadline(kind, filed_at),
                answer: None,
                pending: true,
                refused: None,
            });
        }
        out.sort_by(|a, b| {
            b.filed_at
                .cmp(&a.filed_at)
                .then(b.request_id.cmp(&a.request_id))
        });
        Ok(out)
    }
}
