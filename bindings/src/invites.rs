//! [`InvitesClient`] (`lobby.invites()`): invitation codes and members (DESIGN.md §2.3).
//! The owner invites residents and tenants into a unit (at most 5, counting pending
//! codes), lists, revokes and removes them; the invitee accepts with the code (or a photo
//! of its QR) and an OTP.
//!
//! The owner's changes are queued: an invitation made offline is listed at once as
//! `QUEUED` and becomes `PENDING` when the server confirms it, or `REJECTED` with the
//! server's reason (`INVITE_CAP_REACHED` when another device took the last slot). The
//! phone checks the role (`FORBIDDEN`) and the cap (`INVITE_CAP_REACHED`) first. The code
//! lives in the app's `SecretStore`, never in the database. The invitee finishes
//! `accept` with `AuthClient.verify_login`, which creates the membership and syncs it in.
//!
//! The invitation code's free functions (format, QR text, normalize) need no client.

use std::sync::Arc;

use lobby_core::protocol::Role;
use lobby_core::{Lobby, MemberRow, OtpChallenge};

use crate::errors::LobbyError;
use crate::records::InviteInfo;

/// Invitations and members. Get it from `LobbyClient.invites()`.
#[derive(uniffi::Object)]
pub struct InvitesClient {
    pub(crate) inner: Arc<Lobby>,
}

#[uniffi::export]
impl InvitesClient {
    /// Makes an invitation code for `role` (`RESIDENT` or `TENANT`) in `unit_id` (the
    /// current unit when `None`). Queued; works offline.
    pub fn create(&self, role: Role, unit_id: Option<String>) -> Result<InviteInfo, LobbyError> {
        Ok(self
            .inner
            .invites()
            .create(role, unit_id.as_deref())?
            .into())
    }

    /// The invitations of `unit_id` (the current unit when `None`), newest first.
    pub fn list(&self, unit_id: Option<String>) -> Result<Vec<InviteInfo>, LobbyError> {
        let invites = self.inner.invites().list(unit_id.as_deref())?;
        Ok(invites.into_iter().map(InviteInfo::from).collect())
    }

    /// Revokes an invitation by its code (as shown or typed) or its id. Queued.
    pub fn revoke(&self, code_or_id: String) -> Result<InviteInfo, LobbyError> {
        Ok(self.inner.invites().revoke(&code_or_id)?.into())
    }

    /// Residents and tenants of `unit_id` (the current unit when `None`); empty for a
    /// resident or tenant.
    pub fn members(&self, unit_id: Option<String>) -> Result<Vec<MemberRow>, LobbyError> {
        Ok(self.inner.invites().members(unit_id.as_deref())?)
    }

    /// Removes a resident or tenant (by person id or membership id) from `unit_id` (the
    /// current unit when `None`). Queued; their phone loses the unit on its next sync.
    pub fn remove_member(
        &self,
        person_or_membership_id: String,
        unit_id: Option<String>,
    ) -> Result<MemberRow, LobbyError> {
        let invites = self.inner.invites();
        Ok(invites.remove_member(&person_or_membership_id, unit_id.as_deref())?)
    }
}

#[uniffi::export(async_runtime = "tokio")]
impl InvitesClient {
    /// The invitee's side: checks the code with the server and sends an OTP to `phone`;
    /// finish with `AuthClient.verify_login`.
    pub async fn accept(
        &self,
        code: String,
        phone: String,
        name: Option<String>,
    ) -> Result<OtpChallenge, LobbyError> {
        let invites = self.inner.invites();
        Ok(invites.accept(&code, &phone, name.as_deref()).await?)
    }

    /// As `accept`, with the code read from a photo (PNG or JPEG) of its QR.
    pub async fn accept_image(
        &self,
        image: Vec<u8>,
        phone: String,
        name: Option<String>,
    ) -> Result<OtpChallenge, LobbyError> {
        let invites = self.inner.invites();
        Ok(invites
            .accept_image(&image, &phone, name.as_deref())
            .await?)
    }
}

/// `ABCDEFGHJK` → `ABCDE-FGHJK`, for showing and reading aloud.
#[uniffi::export]
pub fn format_invite_code(code: String) -> String {
    lobby_core::domain::invites::format_invite_code(&code)
}

/// The text of an invitation's QR; render it with `render_qr_png`.
#[uniffi::export]
pub fn invite_qr_payload(code: String) -> String {
    lobby_core::domain::invites::invite_qr_payload(&code)
}

/// A code as typed or scanned, in its canonical form (spaces and dashes dropped, look-alike
/// letters read as digits, the QR form unwrapped); `INVITE_INVALID` when it is not one.
#[uniffi::export]
pub fn normalize_invite_code(code: String) -> Result<String, LobbyError> {
    Ok(lobby_core::domain::invites::normalize_invite_code(&code)?)
}

#[cfg(test)]
mod tests {
    use lobby_core::ErrorCode;

    use super::*;

    #[test]
    fn the_qr_text_of_a_code_reads_back_to_the_code() {
        let payload = invite_qr_payload("ABCDE12345".into());
        assert_eq!(
            normalize_invite_code(payload).ok().as_deref(),
            Some("ABCDE12345")
        );
    }

    #[test]
    fn a_code_is_shown_in_two_halves() {
        assert_eq!(format_invite_code("ABCDE12345".into()), "ABCDE-12345");
    }

    #[test]
    fn a_malformed_code_is_invite_invalid() {
        let err = normalize_invite_code("ABC".into()).err().map(|e| e.code());
        assert_eq!(err, Some(ErrorCode::InviteInvalid));
    }
}
