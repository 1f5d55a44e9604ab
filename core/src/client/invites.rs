//! Invitations and members (DESIGN.md §2.3), as the owner's and the invitee's phones do
//! them.
//!
//! The owner's phone makes the code, keeps it in the secret store (never in SQLite), and
//! queues an `InviteCreate` through the outbox — so an invitation made offline is listed
//! at once as `queued` and becomes `pending` when the server confirms it, or `rejected`
//! with the server's reason (e.g. `invite_cap_reached` when another device of the owner
//! took the last slot first). Before queueing, the phone checks the role and the cap of 5
//! against its replica and explains a refusal; the server checks both again.

use chrono::Utc;
use uuid::Uuid;

use super::{Inner, Lobby, OtpChallenge};
use crate::domain::contact::normalize_thai_phone;
use crate::domain::invites::{
    check_can_manage_members, check_invitable_role, check_invite_cap, generate_invite_code,
    normalize_invite_code,
};
use crate::error::{ErrorCode, LobbyError, Result};
use crate::protocol::{InviteAcceptRequest, Mutation, Role};
use crate::store::{InviteRow, MemberRow};

/// Secret-store key of an invitation's code.
pub(crate) fn invite_code_key(invite_id: &str) -> String {
    format!("invite_code.{invite_id}")
}

/// An invitation with its code (when this phone made it and it can still be used).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invite {
    pub row: InviteRow,
    pub code: Option<String>,
}

impl Lobby {
    /// Makes an invitation code for `role` in `unit_id` (the current unit when `None`).
    /// Works offline: the invitation is `queued` until the server confirms it.
    pub fn create_invite(&self, role: Role, unit_id: Option<&str>) -> Result<Invite> {
        check_invitable_role(role)?;
        let person = self.inner.require_person()?;
        let unit_id = self.inner.unit_or_current(unit_id)?;
        let now = Utc::now();
        self.inner.with_store(|s| {
            let my_role = s.role_in_unit(&unit_id)?.ok_or_else(|| {
                LobbyError::new(ErrorCode::NotFound, "you are not a member of that unit")
            })?;
            check_can_manage_members(my_role)?;
            let (members, pending) = s.invite_cap_usage(&unit_id, now)?;
            Ok(check_invite_cap(members, pending)?)
        })?;
        let code = generate_invite_code();
        let invite_id = Uuid::now_v7();
        self.inner
            .secrets
            .set(&invite_code_key(&invite_id.to_string()), &code)?;
        let mutation = Mutation::InviteCreate {
            invite_id,
            unit_id: unit_id.clone(),
            role,
            code: code.clone(),
        };
        self.inner
            .with_store_mut(|s| s.enqueue(&person, mutation, now))?;
        self.inner.after_local_write()?;
        let row = self
            .invites(Some(&unit_id))?
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
    pub fn invites(&self, unit_id: Option<&str>) -> Result<Vec<Invite>> {
        let unit_id = self.inner.unit_or_current(unit_id)?;
        let rows = self.inner.with_store(|s| s.invites(&unit_id, Utc::now()))?;
        rows.into_iter()
            .map(|row| {
                let code = self.inner.secrets.get(&invite_code_key(&row.invite_id))?;
                Ok(Invite { row, code })
            })
            .collect()
    }

    /// Revokes an invitation by its code (as shown) or its id. Queued; works offline.
    pub fn revoke_invite(&self, code_or_id: &str) -> Result<Invite> {
        let person = self.inner.require_person()?;
        let wanted = normalize_invite_code(code_or_id).ok();
        let mut found = None;
        for unit in self.units()? {
            for inv in self.invites(Some(&unit.unit_id))? {
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
        self.inner.with_store_mut(|s| {
            s.enqueue(&person, Mutation::InviteRevoke { invite_id }, Utc::now())
        })?;
        self.inner.after_local_write()?;
        Ok(inv)
    }

    /// Residents and tenants of `unit_id` (current unit when `None`). Owners see them;
    /// residents and tenants get an empty list.
    pub fn members(&self, unit_id: Option<&str>) -> Result<Vec<MemberRow>> {
        let unit_id = self.inner.unit_or_current(unit_id)?;
        self.inner.with_store(|s| s.members(&unit_id))
    }

    /// Removes a resident or tenant (by person id or membership id) from the current unit
    /// (or `unit_id`). Queued; the removed person's phone loses the unit on its next sync.
    pub fn remove_member(
        &self,
        person_or_membership_id: &str,
        unit_id: Option<&str>,
    ) -> Result<MemberRow> {
        let person = self.inner.require_person()?;
        let unit_id = self.inner.unit_or_current(unit_id)?;
        let role = self
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
        self.inner
            .with_store_mut(|s| s.enqueue(&person, mutation, Utc::now()))?;
        self.inner.after_local_write()?;
        Ok(member)
    }

    /// The invitee's side: checks the code with the server and sends an OTP to `phone`;
    /// finish with [`Lobby::verify_login`], which creates the membership.
    pub async fn accept_invite(
        &self,
        code: &str,
        phone: &str,
        name: Option<&str>,
    ) -> Result<OtpChallenge> {
        let code = normalize_invite_code(code)?;
        let phone = normalize_thai_phone(phone)?;
        let name = name.map(super::auth::check_display_name).transpose()?;
        let inner = self.inner.clone();
        self.spawn(async move {
            let sent = inner
                .api()?
                .invite_accept(&InviteAcceptRequest { code, phone, name })
                .await?;
            inner.remember_login_otp(&sent)
        })
        .await
    }

    /// As [`Lobby::accept_invite`], with the code read from a photo of its QR.
    pub async fn accept_invite_image(
        &self,
        image: &[u8],
        phone: &str,
        name: Option<&str>,
    ) -> Result<OtpChallenge> {
        let text = crate::qr::read_png_or_jpeg(image)?;
        self.accept_invite(&text, phone, name).await
    }
}

impl Inner {
    pub(crate) fn require_person(&self) -> Result<String> {
        self.person_id()?
            .ok_or_else(|| LobbyError::new(ErrorCode::Unauthorized, "not signed in on this device"))
    }

    pub(crate) fn unit_or_current(&self, unit_id: Option<&str>) -> Result<String> {
        if let Some(u) = unit_id {
            return Ok(u.to_string());
        }
        self.ensure_current_unit()?;
        self.with_store(|s| s.setting(crate::store::setting_keys::CURRENT_UNIT))?
            .ok_or_else(|| {
                LobbyError::new(ErrorCode::NoCurrentUnit, "this device has no current unit")
            })
    }

    /// After a change is queued: publish the pending count and wake the sync timer.
    pub(crate) fn after_local_write(&self) -> Result<()> {
        self.publish_pending()?;
        self.nudge.notify_one();
        Ok(())
    }

    /// Puts the codes of queued invitations back into the mutations being sent (they are
    /// kept in the secret store, not the outbox). A code lost from the secret store makes
    /// the invitation unusable: it is refused locally.
    pub(crate) fn fill_invite_codes(
        &self,
        batch: &mut Vec<crate::protocol::MutationEnvelope>,
    ) -> Result<()> {
        let mut lost = Vec::new();
        for m in batch.iter_mut() {
            if let Mutation::InviteCreate {
                invite_id, code, ..
            } = &mut m.mutation
            {
                match self.secrets.get(&invite_code_key(&invite_id.to_string()))? {
                    Some(c) => *code = c,
                    None => lost.push(m.id),
                }
            }
        }
        for id in &lost {
            self.with_store_mut(|s| {
                s.outbox_rejected(
                    *id,
                    ErrorCode::InviteInvalid.as_str(),
                    "the invitation code was lost from this device",
                )
            })?;
        }
        batch.retain(|m| !lost.contains(&m.id));
        Ok(())
    }

    /// Forgets codes that can no longer be used (accepted, revoked, expired, refused).
    pub(crate) fn forget_finished_invite_codes(&self) -> Result<()> {
        let finished = self.with_store(|s| s.finished_invite_ids(Utc::now()))?;
        for id in finished {
            self.secrets.delete(&invite_code_key(&id))?;
        }
        Ok(())
    }
}
