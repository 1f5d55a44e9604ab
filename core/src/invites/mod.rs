//! Invitations and members (DESIGN.md §2.3), as the owner's and the invitee's phones do
//! them.
//!
//! The owner's phone makes the code, keeps it in the secret store (never in SQLite, never
//! in the outbox), and queues an `invite_create` — so an invitation made offline is listed
//! at once as `queued` and becomes `pending` when the server confirms it, or `rejected`
//! with the server's reason. Before queueing, the phone checks the role and the cap of 5
//! against its replica; the server checks both again.
//!
//! Synced kinds: `invite`, `member` (scope `owners:<unit>`). Optimistic effects:
//! `invites_local`, `invite_revokes_local`, `member_removals_local`. Sync hooks: the codes
//! are put back into `invite_create` mutations before a push (a code lost from the secret
//! store refuses its invitation locally); a refused invitation's code is deleted; after a
//! pull, every code that can no longer be used (accepted, revoked, expired, or its unit's
//! `owners:` scope lost) is deleted.

mod client;
mod records;
mod store;

pub use client::{Invite, InvitesClient};
pub use store::{InviteRow, LocalInviteStatus, MemberRow};

use chrono::Utc;
use rusqlite::{params, Transaction};

use crate::capability::{Capability, Queued};
use crate::device::Device;
use crate::error::{ErrorCode, Result};
use crate::protocol::{Mutation, MutationEnvelope};
use crate::store::SyncedTable;

/// Secret-store names of invitation codes: `invite_code.<invite id>`.
const CODE_KEY_PREFIX: &str = "invite_code.";

pub(crate) fn invite_code_key(invite_id: &str) -> String {
    format!("{CODE_KEY_PREFIX}{invite_id}")
}

/// The invitations area.
pub(crate) struct Invites;

impl Capability for Invites {
    fn name(&self) -> &'static str {
        "invites"
    }

    fn synced_tables(&self) -> &'static [SyncedTable] {
        records::TABLES
    }

    fn local_tables(&self) -> &'static [&'static str] {
        &[
            "invites_local",
            "invite_revokes_local",
            "member_removals_local",
        ]
    }

    fn on_enqueue(&self, tx: &Transaction<'_>, q: &Queued<'_>) -> rusqlite::Result<()> {
        match q.mutation {
            Mutation::InviteCreate {
                invite_id,
                unit_id,
                role,
                ..
            } => {
                let expires =
                    q.now + chrono::Duration::days(crate::domain::invites::INVITE_TTL_DAYS);
                tx.execute(
                    "INSERT INTO invites_local(invite_id, mutation_id, person_id, unit_id, role,
                     created_at, expires_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                    params![
                        invite_id.to_string(),
                        q.mutation_id,
                        q.person_id,
                        unit_id,
                        role.as_str(),
                        q.now.to_rfc3339(),
                        expires.to_rfc3339()
                    ],
                )?;
            }
            Mutation::InviteRevoke { invite_id } => {
                tx.execute(
                    "INSERT INTO invite_revokes_local(mutation_id, invite_id) VALUES (?1, ?2)",
                    params![q.mutation_id, invite_id.to_string()],
                )?;
            }
            Mutation::MemberRemove { membership_id } => {
                tx.execute(
                    "INSERT INTO member_removals_local(mutation_id, membership_id) VALUES (?1, ?2)",
                    params![q.mutation_id, membership_id],
                )?;
            }
            _ => {}
        }
        Ok(())
    }

    fn outbox_form(&self, mutation: &mut Mutation) {
        if let Mutation::InviteCreate { code, .. } = mutation {
            code.clear();
        }
    }

    /// Puts the codes back (they live in the secret store). A code lost from the secret
    /// store makes its invitation unusable: it is refused here.
    fn before_push(&self, device: &Device, batch: &mut Vec<MutationEnvelope>) -> Result<()> {
        let mut lost = Vec::new();
        for m in batch.iter_mut() {
            if let Mutation::InviteCreate {
                invite_id, code, ..
            } = &mut m.mutation
            {
                match device.secret(&invite_code_key(&invite_id.to_string()))? {
                    Some(c) => *code = c,
                    None => lost.push(m.id),
                }
            }
        }
        for id in &lost {
            device.with_store_mut(|s| {
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

    /// A refused invitation's code must not be handed out.
    fn on_rejected(&self, device: &Device, envelope: &MutationEnvelope) -> Result<()> {
        if let Mutation::InviteCreate { invite_id, .. } = &envelope.mutation {
            device.delete_secret(&invite_code_key(&invite_id.to_string()))?;
        }
        Ok(())
    }

    /// Forgets every code that can no longer be used.
    fn after_pull(&self, device: &Device) -> Result<()> {
        let usable = device.with_store(|s| s.usable_invite_ids(Utc::now()))?;
        for key in device.secret_keys(CODE_KEY_PREFIX)? {
            let id = &key[CODE_KEY_PREFIX.len()..];
            if !usable.iter().any(|u| u == id) {
                device.delete_secret(&key)?;
            }
        }
        Ok(())
    }
}
