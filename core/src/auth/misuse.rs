//! "Someone else used my account" (issue 11: log out everywhere, and report misuse).
//!
//! One call ends every sign-in of the account on the server and files a misuse report
//! for the juristic office, in one unit of work (`POST /v1/auth/logout` with
//! `report_misuse`), so the intruder is out by the time anyone reads the report. The
//! report is a privacy request of kind `misuse`, due in 72 hours (a possible breach the
//! office must assess: PDPA §37(4)); it is listed with the person's other requests once
//! they sign in again.
//!
//! Online only: unlike `logout`, which signs this phone out even without the network, a
//! report that did not reach the server has done nothing, so the phone keeps its session
//! and says so (`offline`), and the person tries again.

use chrono::{DateTime, Utc};

use super::AuthClient;
use crate::domain::privacy_request::{check_detail, RequestKind};
use crate::error::Result;
use crate::protocol::LogoutRequest;

/// The report the office must look into by `deadline`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct MisuseReport {
    pub request_id: String,
    pub deadline: DateTime<Utc>,
}

impl AuthClient<'_> {
    /// Ends every sign-in of the account (this phone's too) and reports the misuse to
    /// the office, with what happened in the person's words (`detail`, optional). This
    /// phone then forgets the account, like [`AuthClient::logout`]; the person signs in
    /// again (and should change their password).
    pub async fn report_misuse(&self, detail: Option<&str>) -> Result<MisuseReport> {
        let detail = check_detail(RequestKind::Misuse, detail)?;
        let inner = self.lobby.inner.clone();
        inner.require_person()?;
        self.lobby
            .spawn(async move {
                let req = LogoutRequest {
                    everywhere: true,
                    report_misuse: true,
                    detail,
                };
                req.check()?;
                let answer = inner
                    .authed(|api, token| {
                        let r = req.clone();
                        async move { api.logout(&token, &r).await }
                    })
                    .await?;
                let report = answer.misuse_report.ok_or_else(|| {
                    crate::error::LobbyError::internal("the server filed no misuse report")
                })?;
                inner.signed_out()?;
                Ok(MisuseReport {
                    request_id: report.request_id,
                    deadline: report.deadline,
                })
            })
            .await
    }
}
