//! OTP delivery (DESIGN.md §2.2): the server hands each code to an [`OtpSender`].
//!
//! - [`DevOtpSender`] records the last code per destination in memory so tests and demos
//!   can read it through `GET /v1/admin/otp/peek`. It exists only in `--dev` mode, and the
//!   server says so loudly at startup.
//! - [`WebhookOtpSender`] POSTs `{"to", "code", "purpose"}` to a configured URL (an SMS or
//!   e-mail gateway).
//! - [`UndeliveredOtpSender`] is what a server with neither gets: codes go nowhere.
//!
//! Delivery never makes a request fail or take longer: the answer must not tell whether a
//! destination belongs to an account (unknown destinations get no delivery at all), so
//! the webhook runs in the background and its failures are logged by request id only.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OtpPurpose {
    Onboarding,
    Login,
    /// Accepting an invitation code (verified through the login endpoint).
    InviteAccept,
    /// Proving a new login e-mail before it replaces the old one.
    EmailChange,
    /// Proving a new phone number before it replaces the old one.
    PhoneChange,
}

impl OtpPurpose {
    pub fn as_str(self) -> &'static str {
        match self {
            OtpPurpose::Onboarding => "onboarding",
            OtpPurpose::Login => "login",
            OtpPurpose::InviteAccept => "invite_accept",
            OtpPurpose::EmailChange => "email_change",
            OtpPurpose::PhoneChange => "phone_change",
        }
    }
}

/// One code to deliver. `to` is the normalised destination (E.164 phone or e-mail).
pub struct OtpMessage {
    pub request_id: String,
    pub to: String,
    pub code: String,
    pub purpose: OtpPurpose,
}

impl std::fmt::Debug for OtpMessage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OtpMessage")
            .field("request_id", &self.request_id)
            .field("purpose", &self.purpose)
            .finish_non_exhaustive()
    }
}

/// A notice without a code: telling a contact that something changed about it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NoticeKind {
    /// Sent to the old login e-mail when a verified new one replaced it, so a takeover
    /// cannot happen unseen.
    EmailChanged,
    /// Sent to the old phone when a verified new number replaced it, for the same reason.
    PhoneChanged,
}

/// One notice to deliver. `to` is a normalised destination.
pub struct Notice {
    pub to: String,
    pub kind: NoticeKind,
}

impl std::fmt::Debug for Notice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Notice")
            .field("kind", &self.kind)
            .finish_non_exhaustive()
    }
}

pub trait OtpSender: Send + Sync {
    /// Hands a code over. Returns at once and never fails the request.
    fn deliver(&self, message: OtpMessage);
    /// Hands a notice over, like a code. Returns at once and never fails the request.
    fn notify(&self, notice: Notice);
}

/// Development only: keeps the last code per destination for `otp peek`, and the notices.
#[derive(Default)]
pub struct DevOtpSender {
    codes: Mutex<HashMap<String, String>>,
    notices: Mutex<Vec<(String, NoticeKind)>>,
}

impl DevOtpSender {
    pub fn new() -> Self {
        Self::default()
    }

    /// The last code delivered to `to` (normalised), if any.
    pub fn peek(&self, to: &str) -> Option<String> {
        self.codes
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(to)
            .cloned()
    }

    /// The notices sent to `to` (normalised), oldest first.
    pub fn notices_to(&self, to: &str) -> Vec<NoticeKind> {
        self.notices
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .iter()
            .filter(|(t, _)| t == to)
            .map(|(_, k)| *k)
            .collect()
    }
}

impl OtpSender for DevOtpSender {
    fn deliver(&self, m: OtpMessage) {
        tracing::info!(request_id = %m.request_id, purpose = m.purpose.as_str(), "dev OTP sender recorded a code");
        self.codes
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(m.to, m.code);
    }

    fn notify(&self, n: Notice) {
        tracing::info!(kind = ?n.kind, "dev OTP sender recorded a notice");
        self.notices
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push((n.to, n.kind));
    }
}

/// POSTs each code as JSON to a gateway.
pub struct WebhookOtpSender {
    url: String,
    client: reqwest::Client,
}

#[derive(Serialize)]
struct WebhookBody<'a> {
    to: &'a str,
    code: &'a str,
    purpose: OtpPurpose,
}

/// A notice as the gateway receives it: no code, `notice` instead of `purpose`.
#[derive(Serialize)]
struct WebhookNotice<'a> {
    to: &'a str,
    notice: NoticeKind,
}

impl WebhookOtpSender {
    pub fn new(url: String) -> anyhow::Result<Self> {
        let client =
            crate::http_client::client(Duration::from_secs(10)).map_err(anyhow::Error::msg)?;
        Ok(WebhookOtpSender { url, client })
    }
}

impl OtpSender for WebhookOtpSender {
    fn deliver(&self, m: OtpMessage) {
        let client = self.client.clone();
        let url = self.url.clone();
        tokio::spawn(async move {
            let body = WebhookBody {
                to: &m.to,
                code: &m.code,
                purpose: m.purpose,
            };
            match client.post(&url).json(&body).send().await {
                Ok(r) if r.status().is_success() => {
                    tracing::info!(request_id = %m.request_id, "OTP handed to the webhook");
                }
                Ok(r) => {
                    tracing::warn!(request_id = %m.request_id, status = r.status().as_u16(), "OTP webhook refused the code");
                }
                Err(e) => {
                    // reqwest errors may carry the URL but never the body.
                    tracing::warn!(request_id = %m.request_id, error = %e.without_url(), "OTP webhook unreachable");
                }
            }
        });
    }

    fn notify(&self, n: Notice) {
        let client = self.client.clone();
        let url = self.url.clone();
        tokio::spawn(async move {
            let body = WebhookNotice {
                to: &n.to,
                notice: n.kind,
            };
            match client.post(&url).json(&body).send().await {
                Ok(r) if r.status().is_success() => {
                    tracing::info!(kind = ?n.kind, "notice handed to the webhook");
                }
                Ok(r) => {
                    tracing::warn!(kind = ?n.kind, status = r.status().as_u16(), "webhook refused the notice");
                }
                Err(e) => {
                    tracing::warn!(kind = ?n.kind, error = %e.without_url(), "webhook unreachable for a notice");
                }
            }
        });
    }
}

/// No sender configured: codes are not delivered anywhere.
pub struct UndeliveredOtpSender;

impl OtpSender for UndeliveredOtpSender {
    fn deliver(&self, m: OtpMessage) {
        tracing::warn!(request_id = %m.request_id, "no OTP sender configured (use --otp-webhook); code not delivered");
    }

    fn notify(&self, n: Notice) {
        tracing::warn!(kind = ?n.kind, "no OTP sender configured (use --otp-webhook); notice not delivered");
    }
}

/// Several senders at once (`--dev` together with `--otp-webhook`).
pub struct FanOutOtpSender(pub Vec<Arc<dyn OtpSender>>);

impl OtpSender for FanOutOtpSender {
    fn deliver(&self, m: OtpMessage) {
        for s in &self.0 {
            s.deliver(OtpMessage {
                request_id: m.request_id.clone(),
                to: m.to.clone(),
                code: m.code.clone(),
                purpose: m.purpose,
            });
        }
    }

    fn notify(&self, n: Notice) {
        for s in &self.0 {
            s.notify(Notice {
                to: n.to.clone(),
                kind: n.kind,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dev_sender_keeps_the_last_code_per_destination() {
        let s = DevOtpSender::new();
        for code in ["111111", "222222"] {
            s.deliver(OtpMessage {
                request_id: "r".into(),
                to: "+66812345678".into(),
                code: code.into(),
                purpose: OtpPurpose::Login,
            });
        }
        assert_eq!(s.peek("+66812345678").as_deref(), Some("222222"));
        assert_eq!(s.peek("+66899999999"), None);
    }

    #[test]
    fn debug_output_hides_destination_and_code() {
        let m = OtpMessage {
            request_id: "r1".into(),
            to: "+66812345678".into(),
            code: "123456".into(),
            purpose: OtpPurpose::Login,
        };
        let s = format!("{m:?}");
        assert!(!s.contains("123456") && !s.contains("+668"));
    }
}
