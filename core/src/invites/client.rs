//! [`InvitesClient`]: invitation codes and a unit's members, from the owner's phone and
//! the invitee's.

use chrono::Utc;
use uuid::Uuid;

use super::invite_code_key;
use crate::auth::OtpChallenge;
use crate::client::Lobby;
use crate::domain::contact::normalize_thai_phone;
use crate::domain::invites::{
    check_can_manage_members, check_invitable_role, check_invite_cap, generate_invite_code,
    normalize_invite_code,
};
use crate::domain::profile::check_display_name;
use crate::error::{ErrorCode, LobbyError, Result};
use crate::protocol::{InviteAcceptRequest, Mutation, Role};

use super::{InviteRow, MemberRow};

/// An invitation with its code (when this phone made it and it can still be used).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invite {
    pub row: InviteRow,
    pub code: Option<String>,
}

/// Invitations and members (`lobby.invites()`).
pub struct InvitesClient<'a> {
    lobby: &'a Lobby,
}

impl Lobby {
    /// The invitations area.
    pub fn invites(&self) -> InvitesClient<'_> {
        InvitesClient { lobby: self }
    }
}

impl InvitesClient<'_> {
    /// Makes an invitation code for `role` in `unit_id` (the current unit when `None`).
    /// Works offline: the invitation is `queued` until the server confirms it.
    pub fn create(&self, role: Role, unit_id: Option<&str>) -> Result<Invite> {
        check_invitable_role(role)?;
        let person = self.lobby.inner.require_person()?;
        let unit_id = self.lobby.inner.unit_or_current(unit_id)?;
        let now = Utc::now();
        self.lobby.inner.with_store(|s| {
            let my_role = s.role_in_unit(&unit_id)?.ok_or_else(|| {
                LobbyError::new(ErrorCode::NotFound, "you are not a member of that unit")
            })?;
            check_can_manage_members(my_role)?;
            let (members, pending) = s.invite_cap_usage(&unit_id, now)?;
            Ok(check_invite_cap(members, pending)?)
        })?;
        let code = generate_invite_code();
        let invite_id = Uuid::now_v7();
        self.lobby
            .inner
            .device
            .set_secret(&invite_code_key(&invite_id.to_string()), &code)?;
        let mutation = Mutation::InviteCreate {
            invite_id,
            unit_id: unit_id.clone(),
            role,
            code: code.clone(),
        };
        self.lobby
            .inner
            .with_store_mut(|s| s.enqueue(&person, mutation, now))?;
        self.lobby.inner.after_local_write()?;
        let row = self
            .list(Some(&unit_id))?
            .into_iter()
            .find(|i| i.row.invite_id == invite_id.to_string())
            .map(|i| i.row)
            .ok_or_else(|| LobbyError::internal("the queued invitation is missing"))?;
        Ok(Invite {
            row,
            code: Some(code),
        })
    }

    /// The invitations of `unit_id` (current unit when `None`), newest first.
    pub fn list(&self, unit_id: Option<&str>) -> Result<Vec<Invite>> {
        let unit_id = self.lobby.inner.unit_or_current(unit_id)?;
        let rows = self
            .lobby
            .inner
            .with_store(|s| s.invites(&unit_id, Utc::now()))?;
        rows.into_iter()
            .map(|row| {
                let code = self
                    .lobby
                    .inner
                    .device
                    .secret(&invite_code_key(&row.invite_id))?;
                Ok(Invite { row, code })
            })
            .collect()
    }

    /// Revokes an invitation by its code (as shown) or its id. Queued; works offline.
    pub fn revoke(&self, code_or_id: &str) -> Result<Invite> {
        let person = self.lobby.inner.require_person()?;
        let wanted = normalize_invite_code(code_or_id).ok();
        let mut found = None;
        for unit in self.lobby.units().list()? {
            for inv in self.list(Some(&unit.unit_id))? {
                if inv.row.invite_id == code_or_id.trim()
                    || (wanted.is_some() && inv.code == wanted)
                {
                    found = Some((unit.role, inv));
                }
            }
        }
        let (role, inv) = found.ok_or_else(|| {
            LobbyError::new(
                ErrorCode::InviteInvalid,
                "no such invitation on this device",
            )
        })?;
        check_can_manage_members(role)?;
        let invite_id = Uuid::parse_str(&inv.row.invite_id)
            .map_err(|_| LobbyError::new(ErrorCode::InviteInvalid, "no such invitation"))?;
        self.lobby.inner.with_store_mut(|s| {
            s.enqueue(&person, Mutation::InviteRevoke { invite_id }, Utc::now())
        })?;
        self.lobby.inner.after_local_write()?;
        Ok(inv)
    }

    /// Residents and tenants of `unit_id` (current unit when `None`). Owners see them;
    /// residents and tenants get an empty list.
    pub fn members(&self, unit_id: Option<&str>) -> Result<Vec<MemberRow>> {
        let unit_id = self.lobby.inner.unit_or_current(unit_id)?;
        self.lobby.inner.with_store(|s| s.members(&unit_id))
    }

    /// Removes a resident or tenant (by person id or membership id) from the current unit
    /// (or `unit_id`). Queued; the removed person's phone loses the unit on its next sync.
    pub fn remove_member(
        &self,
        person_or_membership_id: &str,
        unit_id: Option<&str>,
    ) -> Result<MemberRow> {
        let person = self.lobby.inner.require_person()?;
        let unit_id = self.lobby.inner.unit_or_current(unit_id)?;
        let role = self
            .lobby
            .inner
            .with_store(|s| s.role_in_unit(&unit_id))?
            .ok_or_else(|| {
                LobbyError::new(ErrorCode::NotFound, "you are not a member of that unit")
            })?;
        check_can_manage_members(role)?;
        let wanted = person_or_membership_id.trim();
        let member = self
            .members(Some(&unit_id))?
            .into_iter()
            .find(|m| m.person_id == wanted || m.membership_id == wanted)
            .ok_or_else(|| {
                LobbyError::new(
                    ErrorCode::NotFound,
                    "no such resident or tenant in this unit",
                )
            })?;
        let mutation = Mutation::MemberRemove {
            membership_id: member.membership_id.clone(),
        };
        self.lobby
            .inner
            .with_store_mut(|s| s.enqueue(&person, mutation, Utc::now()))?;
        self.lobby.inner.after_local_write()?;
        Ok(member)
    }

    /// The invitee's side: checks the code with the server and sends an OTP to `phone`;
    /// finish with [`AuthClient::verify_login`](crate::auth::AuthClient::verify_login), which creates the membership.
    pub async fn accept(
        &self,
        code: &str,
        phone: &str,
        name: Option<&str>,
    ) -> Result<OtpChallenge> {
        let code = normalize_invite_code(code)?;
        let phone = normalize_thai_phone(phone)?;
        let name = name.map(check_display_name).transpose()?;
        let inner = self.lobby.inner.clone();
        self.lobby
            .spawn(async move {
                let sent = inner
                    .api()?
                    .invite_accept(&InviteAcceptRequest { code, phone, name })
                    .await?;
                inner.remember_login_otp(&sent)
            })
            .await
    }

    /// As [`InvitesClient::accept`], with the code read from a photo of its QR.
    pub async fn accept_image(
        &self,
        image: &[u8],
        phone: &str,
        name: Option<&str>,
    ) -> Result<OtpChallenge> {
        let text = crate::qr::read_png_or_jpeg(image)?;
        self.accept(&text, phone, name).await
    }
}
