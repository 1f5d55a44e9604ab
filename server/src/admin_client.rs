//! A typed client for the staff endpoints, used by `lobby-server admin`, the CLI's demo
//! and the tests. Errors come back as [`LobbyError`] with the server's stable code; an
//! unreachable server is `offline`.

use std::time::Duration;

use lobby_model::protocol::admin::{
    ArrearsSet, CreateProject, EpochBumped, HandedOver, OnboardingReissued, OtpPeek,
    OwnersImported, ParcelAdd, ParcelAdded, ParcelList, ParcelPhotoSet, ParcelReturned,
    PickupHandover, PickupVerified, PickupVerify, ProjectCreated, RetentionRun,
};
use lobby_model::protocol::{
    AnnouncementPost, AnnouncementPosted, AnnouncementReaders, ApiError, AttachmentSet,
    AttendanceAdd, Empty, InvoiceAdd, InvoiceAdded, InvoiceConfirm, InvoiceReject,
    InvoicesImported, ItemAdd, ItemAdded, ItemClosed, MeetingCreate, MeetingCreated, Outstanding,
    PolicyPublish, PolicyPublished, PrivacyDecide, PrivacyDecided, PrivacyRequestList, ProjectKind,
    ProxyAdd, RoleAdd,
};
use lobby_model::{ErrorCode, LobbyError};
use serde::de::DeserializeOwned;

pub struct AdminClient {
    base: String,
    token: String,
    http: reqwest::Client,
}

impl AdminClient {
    pub fn new(server_url: &str, staff_token: &str) -> Self {
        // A client that cannot be built at all (no TLS provider) leaves reqwest's
        // unconfigured one, whose requests then fail with a clear error.
        let http = crate::http_client::client(Duration::from_secs(120)).unwrap_or_else(|e| {
            tracing::error!("{e}");
            reqwest::Client::new()
        });
        AdminClient {
            base: server_url.trim_end_matches('/').to_string(),
            token: staff_token.to_string(),
            http,
        }
    }

    pub async fn create_project(
        &self,
        name: &str,
        kind: ProjectKind,
    ) -> Result<ProjectCreated, LobbyError> {
        let body = CreateProject {
            name: name.to_string(),
            kind,
        };
        self.send(self.http.post(self.url("/v1/admin/projects")).json(&body))
            .await
    }

    /// `csv`: the registry file's bytes, as is.
    pub async fn import_owners(
        &self,
        project_id: &str,
        csv: Vec<u8>,
    ) -> Result<OwnersImported, LobbyError> {
        let path = format!("/v1/admin/projects/{}/owners", encode(project_id));
        let req = self
            .http
            .post(self.url(&path))
            .header(reqwest::header::CONTENT_TYPE, "text/csv")
            .body(csv);
        self.send(req).await
    }

    pub async fn reissue_onboarding(
        &self,
        unit_id: &str,
    ) -> Result<OnboardingReissued, LobbyError> {
        let path = format!("/v1/admin/units/{}/onboarding/reissue", encode(unit_id));
        self.send(self.http.post(self.url(&path))).await
    }

    /// Creates a meeting.
    pub async fn create_meeting(&self, req: &MeetingCreate) -> Result<MeetingCreated, LobbyError> {
        self.send(self.http.post(self.url("/v1/admin/meetings")).json(req))
            .await
    }

    /// Adds an agenda item to a meeting.
    pub async fn add_item(&self, meeting_id: &str, req: &ItemAdd) -> Result<ItemAdded, LobbyError> {
        let path = format!("/v1/admin/meetings/{}/items", encode(meeting_id));
        self.send(self.http.post(self.url(&path)).json(req)).await
    }

    /// Registers a unit's proxy holder (by phone) for a meeting.
    pub async fn add_proxy(&self, meeting_id: &str, req: &ProxyAdd) -> Result<Empty, LobbyError> {
        let path = format!("/v1/admin/meetings/{}/proxies", encode(meeting_id));
        self.send(self.http.post(self.url(&path)).json(req)).await
    }

    /// Records a unit present at a meeting.
    pub async fn attend(&self, meeting_id: &str, unit_id: &str) -> Result<Empty, LobbyError> {
        let path = format!("/v1/admin/meetings/{}/attendance", encode(meeting_id));
        let body = AttendanceAdd {
            unit_id: unit_id.to_string(),
        };
        self.send(self.http.post(self.url(&path)).json(&body)).await
    }

    /// Opens or closes a meeting (`action`: `open` or `close`).
    pub async fn meeting_action(
        &self,
        meeting_id: &str,
        action: &str,
    ) -> Result<Empty, LobbyError> {
        let path = format!(
            "/v1/admin/meetings/{}/{}",
            encode(meeting_id),
            encode(action)
        );
        self.send(self.http.post(self.url(&path))).await
    }

    /// Opens an item's voting.
    pub async fn open_item(&self, item_id: &str) -> Result<Empty, LobbyError> {
        let path = format!("/v1/admin/items/{}/open", encode(item_id));
        self.send(self.http.post(self.url(&path))).await
    }

    /// Closes an item's voting: its tally, whether it passed, the chain head.
    pub async fn close_item(&self, item_id: &str) -> Result<ItemClosed, LobbyError> {
        let path = format!("/v1/admin/items/{}/close", encode(item_id));
        self.send(self.http.post(self.url(&path))).await
    }

    /// Puts the person with `phone` on the project's roster (`board`, `manager`,
    /// `spouse`, `staff`): they may not hold proxies at its meetings.
    pub async fn add_role(
        &self,
        project_id: &str,
        phone: &str,
        role: &str,
    ) -> Result<Empty, LobbyError> {
        let path = format!("/v1/admin/projects/{}/roles", encode(project_id));
        self.send(self.http.post(self.url(&path)).json(&RoleAdd {
            phone: phone.to_string(),
            role: role.to_string(),
        }))
        .await
    }

    /// Records the unit's months in arrears.
    pub async fn set_arrears(&self, unit_id: &str, months: u32) -> Result<Empty, LobbyError> {
        let path = format!("/v1/admin/units/{}/arrears", encode(unit_id));
        self.send(self.http.post(self.url(&path)).json(&ArrearsSet { months }))
            .await
    }

    /// Logs a parcel for a unit.
    pub async fn add_parcel(&self, parcel: &ParcelAdd) -> Result<ParcelAdded, LobbyError> {
        self.send(self.http.post(self.url("/v1/admin/parcels")).json(parcel))
            .await
    }

    /// The parcels this credential may see, filtered (each filter only when given).
    pub async fn list_parcels(
        &self,
        unit_id: Option<&str>,
        status: Option<&str>,
        recipient: Option<&str>,
    ) -> Result<ParcelList, LobbyError> {
        let mut query = Vec::new();
        for (name, value) in [
            ("unit_id", unit_id),
            ("status", status),
            ("recipient", recipient),
        ] {
            if let Some(v) = value {
                query.push(format!("{name}={}", encode(v)));
            }
        }
        let path = if query.is_empty() {
            "/v1/admin/parcels".to_string()
        } else {
            format!("/v1/admin/parcels?{}", query.join("&"))
        };
        self.send(self.http.get(self.url(&path))).await
    }

    /// Issues one invoice.
    pub async fn add_invoice(&self, req: &InvoiceAdd) -> Result<InvoiceAdded, LobbyError> {
        self.send(self.http.post(self.url("/v1/admin/invoices")).json(req))
            .await
    }

    /// Imports a month's invoices for the project (CSV).
    pub async fn import_invoices(
        &self,
        project_id: &str,
        csv: Vec<u8>,
    ) -> Result<InvoicesImported, LobbyError> {
        let path = format!("/v1/admin/projects/{}/invoices", encode(project_id));
        self.send(
            self.http
                .post(self.url(&path))
                .header("content-type", "text/csv")
                .body(csv),
        )
        .await
    }

    /// Records a payment received.
    pub async fn confirm_invoice(
        &self,
        invoice_id: &str,
        amount_satang: i64,
    ) -> Result<Empty, LobbyError> {
        let path = format!("/v1/admin/invoices/{}/confirm", encode(invoice_id));
        self.send(
            self.http
                .post(self.url(&path))
                .json(&InvoiceConfirm { amount_satang }),
        )
        .await
    }

    /// Rejects the slip sent, with a reason.
    pub async fn reject_invoice(
        &self,
        invoice_id: &str,
        reason: &str,
    ) -> Result<Empty, LobbyError> {
        let path = format!("/v1/admin/invoices/{}/reject", encode(invoice_id));
        self.send(self.http.post(self.url(&path)).json(&InvoiceReject {
            reason: reason.to_string(),
        }))
        .await
    }

    /// What each unit of the project owes.
    pub async fn outstanding(&self, project_id: &str) -> Result<Outstanding, LobbyError> {
        let path = format!("/v1/admin/projects/{}/outstanding", encode(project_id));
        self.send(self.http.get(self.url(&path))).await
    }

    /// Posts an announcement.
    pub async fn announce(
        &self,
        post: &AnnouncementPost,
    ) -> Result<AnnouncementPosted, LobbyError> {
        self.send(
            self.http
                .post(self.url("/v1/admin/announcements"))
                .json(post),
        )
        .await
    }

    /// Sets an announcement's attachment (a JPEG, PNG or PDF).
    pub async fn set_announcement_attachment(
        &self,
        announcement_id: &str,
        bytes: Vec<u8>,
    ) -> Result<AttachmentSet, LobbyError> {
        let path = format!(
            "/v1/admin/announcements/{}/attachment",
            encode(announcement_id)
        );
        self.send(
            self.http
                .put(self.url(&path))
                .header("content-type", "application/octet-stream")
                .body(bytes),
        )
        .await
    }

    /// Who opened or acknowledged an announcement, and the units where nobody has.
    pub async fn announcement_readers(
        &self,
        announcement_id: &str,
    ) -> Result<AnnouncementReaders, LobbyError> {
        let path = format!(
            "/v1/admin/announcements/{}/readers",
            encode(announcement_id)
        );
        self.send(self.http.get(self.url(&path))).await
    }

    /// Verifies a scanned pickup pass.
    pub async fn verify_pickup(&self, payload: &str) -> Result<PickupVerified, LobbyError> {
        let body = PickupVerify {
            payload: payload.to_string(),
        };
        self.send(
            self.http
                .post(self.url("/v1/admin/pickup/verify"))
                .json(&body),
        )
        .await
    }

    /// Hands parcels over against a pass or a signature.
    pub async fn hand_over(&self, req: &PickupHandover) -> Result<HandedOver, LobbyError> {
        self.send(
            self.http
                .post(self.url("/v1/admin/pickup/handover"))
                .json(req),
        )
        .await
    }

    /// Records that a waiting parcel went back to the carrier.
    pub async fn return_parcel(&self, parcel_id: &str) -> Result<ParcelReturned, LobbyError> {
        let path = format!("/v1/admin/parcels/{}/return", encode(parcel_id));
        self.send(self.http.post(self.url(&path))).await
    }

    /// Sets or replaces a parcel's photo (`jpeg`: the file's bytes, as is).
    pub async fn set_parcel_photo(
        &self,
        parcel_id: &str,
        jpeg: Vec<u8>,
    ) -> Result<ParcelPhotoSet, LobbyError> {
        let path = format!("/v1/admin/parcels/{}/photo", encode(parcel_id));
        let req = self
            .http
            .put(self.url(&path))
            .header(reqwest::header::CONTENT_TYPE, "image/jpeg")
            .body(jpeg);
        self.send(req).await
    }

    /// Development servers only.
    pub async fn peek_otp(&self, to: &str) -> Result<OtpPeek, LobbyError> {
        let path = format!("/v1/admin/otp/peek?to={}", encode(to));
        self.send(self.http.get(self.url(&path))).await
    }

    /// Brings a version of the terms, privacy policy or marketing notice into force.
    pub async fn publish_policy(
        &self,
        kind: &str,
        version: &str,
    ) -> Result<PolicyPublished, LobbyError> {
        self.send(
            self.http
                .post(self.url("/v1/admin/policies"))
                .json(&PolicyPublish {
                    kind: kind.to_string(),
                    version: version.to_string(),
                }),
        )
        .await
    }

    /// The project's audit log, with the result of checking its chain.
    pub async fn audit(
        &self,
        project_id: &str,
    ) -> Result<lobby_model::protocol::admin::AuditLog, LobbyError> {
        let path = format!("/v1/admin/projects/{}/audit", encode(project_id));
        self.send(self.http.get(self.url(&path))).await
    }

    /// The open privacy requests of the project's members, soonest deadline first.
    pub async fn privacy_requests(
        &self,
        project_id: &str,
    ) -> Result<PrivacyRequestList, LobbyError> {
        let path = format!("/v1/admin/projects/{}/privacy-requests", encode(project_id));
        self.send(self.http.get(self.url(&path))).await
    }

    /// Answers a privacy request (a rejection needs its reason).
    pub async fn decide_privacy_request(
        &self,
        request_id: &str,
        approve: bool,
        reason: Option<&str>,
    ) -> Result<PrivacyDecided, LobbyError> {
        let path = format!("/v1/admin/privacy-requests/{}/decide", encode(request_id));
        self.send(self.http.post(self.url(&path)).json(&PrivacyDecide {
            approve,
            reason: reason.map(str::to_string),
        }))
        .await
    }

    pub async fn bump_epoch(&self) -> Result<EpochBumped, LobbyError> {
        self.send(self.http.post(self.url("/v1/admin/sync/epoch")))
            .await
    }

    /// Runs the retention job now (platform staff only): how many rows of each category
    /// went.
    pub async fn run_retention(&self) -> Result<RetentionRun, LobbyError> {
        self.send(self.http.post(self.url("/v1/admin/retention/run")))
            .await
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    async fn send<T: DeserializeOwned>(
        &self,
        req: reqwest::RequestBuilder,
    ) -> Result<T, LobbyError> {
        let response = req.bearer_auth(&self.token).send().await.map_err(|e| {
            LobbyError::new(
                ErrorCode::Offline,
                format!("cannot reach the server: {}", e.without_url()),
            )
        })?;
        let status = response.status();
        let bytes = response.bytes().await.map_err(|e| {
            LobbyError::new(
                ErrorCode::Offline,
                format!("the answer was cut off: {}", e.without_url()),
            )
        })?;
        if status.is_success() {
            return serde_json::from_slice(&bytes).map_err(|e| {
                LobbyError::new(
                    ErrorCode::ServerError,
                    format!("unexpected answer from the server: {e}"),
                )
            });
        }
        match serde_json::from_slice::<ApiError>(&bytes) {
            Ok(api) => Err(LobbyError::new(
                ErrorCode::parse(&api.error.code),
                api.error.message,
            )),
            Err(_) => Err(LobbyError::new(
                ErrorCode::ServerError,
                format!("the server answered HTTP {status}"),
            )),
        }
    }
}

/// Percent-encodes everything but RFC 3986 unreserved characters.
fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_values_are_percent_encoded() {
        assert_eq!(encode("+66 81"), "%2B66%2081");
        assert_eq!(encode("a@b.co"), "a%40b.co");
    }
}
