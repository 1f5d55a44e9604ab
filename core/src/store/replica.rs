//! The replica: server state as this phone last saw it, and how pulled changes land.
//!
//! [`Store::apply_pull_page`] is the sync engine's downstream write: one page of changes,
//! its cursors, its removed scopes — one transaction. Applying is idempotent (every write
//! is an upsert or a delete by id), so a page applied twice changes nothing, and a crash
//! mid-page leaves the previous page's state and cursors.

use std::collections::BTreeMap;

use rusqlite::{params, CachedStatement, OptionalExtension, Transaction};

use super::settings::keys;
use super::Result;
use super::Store;
use crate::protocol::{Change, EntityKind, PullResponse, Record, Role};

/// What one page did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ApplyStats {
    pub changes: usize,
    pub purged_scopes: usize,
}

pub(crate) const SYNCED_TABLES: &[&str] = &[
    "projects",
    "units",
    "memberships",
    "profile",
    "parcels",
    "invites",
    "members",
];

impl Store {
    /// Per-scope cursors to send with the next pull.
    pub fn cursors(&self) -> Result<BTreeMap<String, i64>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT scope, cursor FROM sync_cursors")?;
        let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))?;
        Ok(rows.collect::<std::result::Result<_, _>>()?)
    }

    pub fn epoch(&self) -> Result<Option<u32>> {
        Ok(self.setting(keys::EPOCH)?.and_then(|s| s.parse().ok()))
    }

    /// Applies one pull page in one transaction: purge removed scopes, apply changes,
    /// store the new cursors and epoch.
    pub fn apply_pull_page(&mut self, page: &PullResponse) -> Result<ApplyStats> {
        let tx = self.conn.transaction()?;
        for scope in &page.removed_scopes {
            purge_scope(&tx, scope)?;
        }
        apply_changes(&tx, &page.changes)?;
        {
            let mut stmt = tx.prepare_cached(
                "INSERT INTO sync_cursors(scope, cursor) VALUES (?1, ?2)
                 ON CONFLICT(scope) DO UPDATE SET cursor = excluded.cursor",
            )?;
            for (scope, cursor) in &page.cursors {
                stmt.execute(params![scope, cursor])?;
            }
        }
        tx.execute(
            "INSERT INTO settings(key, value) VALUES (?1, ?2)
             ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            params![keys::EPOCH, page.epoch.to_string()],
        )?;
        tx.commit()?;
        Ok(ApplyStats {
            changes: page.changes.len(),
            purged_scopes: page.removed_scopes.len(),
        })
    }

    /// Drops every synced row and cursor (the server said "reset"). The outbox and the
    /// optimistic tables stay: queued changes are never lost to a reset.
    pub fn reset_replica(&mut self) -> Result<()> {
        let tx = self.conn.transaction()?;
        for t in SYNCED_TABLES {
            tx.execute(&format!("DELETE FROM {t}"), [])?;
        }
        tx.execute("DELETE FROM sync_cursors", [])?;
        tx.execute("DELETE FROM settings WHERE key = ?1", [keys::EPOCH])?;
        tx.commit()?;
        Ok(())
    }

    /// The person's units across projects, for the unit drop-down.
    pub fn units(&self) -> Result<Vec<UnitSummary>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT m.unit_id, COALESCE(u.number, ''), m.project_id, COALESCE(p.name, ''), m.role,
                    COALESCE(u.ratio_micros, 0), COALESCE(u.arrears_months, 0)
             FROM memberships m
             LEFT JOIN units u ON u.id = m.unit_id
             LEFT JOIN projects p ON p.id = m.project_id
             ORDER BY p.name, u.number",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(UnitSummary {
                unit_id: r.get(0)?,
                unit_number: r.get(1)?,
                project_id: r.get(2)?,
                project_name: r.get(3)?,
                role: Role::parse(&r.get::<_, String>(4)?).unwrap_or(Role::Resident),
                ownership_ratio: lobby_model::Weight::from_micros(r.get(5)?),
                arrears_months: r.get::<_, i64>(6)? as u32,
            })
        })?;
        Ok(rows.collect::<std::result::Result<_, _>>()?)
    }

    /// The person's profile with queued (not yet confirmed) edits laid over it.
    pub fn profile(&self) -> Result<Option<Profile>> {
        let base = self
            .conn
            .query_row(
                "SELECT id, legal_name, display_name, phone, email FROM profile LIMIT 1",
                [],
                |r| {
                    Ok(Profile {
                        person_id: r.get(0)?,
                        legal_name: r.get(1)?,
                        display_name: r.get(2)?,
                        phone: r.get(3)?,
                        email: r.get(4)?,
                        pending_edits: 0,
                    })
                },
            )
            .optional()?;
        let Some(mut p) = base else { return Ok(None) };
        let mut stmt = self.conn.prepare_cached(
            "SELECT e.display_name, e.email FROM profile_edits e
             JOIN outbox o ON o.id = e.mutation_id WHERE e.person_id = ?1 ORDER BY o.seq",
        )?;
        let edits = stmt.query_map([&p.person_id], |r| {
            Ok((
                r.get::<_, Option<String>>(0)?,
                r.get::<_, Option<String>>(1)?,
            ))
        })?;
        for edit in edits {
            let (name, email) = edit?;
            if let Some(n) = name {
                p.display_name = n;
            }
            if email.is_some() {
                p.email = email;
            }
            p.pending_edits += 1;
        }
        Ok(Some(p))
    }

    /// Number of rows in a synced table (for tests and diagnostics).
    pub fn count_rows(&self, table: &str) -> Result<i64> {
        if !SYNCED_TABLES.contains(&table) && table != "outbox" {
            return Ok(0);
        }
        Ok(self
            .conn
            .query_row(&format!("SELECT COUNT(*) FROM {table}"), [], |r| r.get(0))?)
    }
}

/// Applies changes in order (the sync hot path). Each kind's statement is prepared once
/// per page, not looked up per row.
pub(crate) fn apply_changes(tx: &Transaction<'_>, changes: &[Change]) -> Result<()> {
    let mut upserts = Upserts::default();
    for c in changes {
        upserts.apply(tx, c)?;
    }
    Ok(())
}

const UPSERT_PROJECT: &str = "INSERT INTO projects(id, scope, name, kind) VALUES (?1, ?2, ?3, ?4)
     ON CONFLICT(id) DO UPDATE SET scope = excluded.scope, name = excluded.name,
     kind = excluded.kind";
const UPSERT_UNIT: &str =
    "INSERT INTO units(id, scope, project_id, number, ratio_micros, arrears_months)
     VALUES (?1, ?2, ?3, ?4, ?5, ?6)
     ON CONFLICT(id) DO UPDATE SET scope = excluded.scope,
     project_id = excluded.project_id, number = excluded.number,
     ratio_micros = excluded.ratio_micros, arrears_months = excluded.arrears_months";
const UPSERT_MEMBERSHIP: &str = "INSERT INTO memberships(id, scope, unit_id, project_id, role)
     VALUES (?1, ?2, ?3, ?4, ?5)
     ON CONFLICT(id) DO UPDATE SET scope = excluded.scope, unit_id = excluded.unit_id,
     project_id = excluded.project_id, role = excluded.role";
const UPSERT_PROFILE: &str =
    "INSERT INTO profile(id, scope, legal_name, display_name, phone, email)
     VALUES (?1, ?2, ?3, ?4, ?5, ?6)
     ON CONFLICT(id) DO UPDATE SET scope = excluded.scope,
     legal_name = excluded.legal_name, display_name = excluded.display_name,
     phone = excluded.phone, email = excluded.email";
const UPSERT_INVITE: &str = "INSERT INTO invites(id, scope, unit_id, role, status, created_at,
     expires_at, accepted_by) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
     ON CONFLICT(id) DO UPDATE SET scope = excluded.scope, unit_id = excluded.unit_id,
     role = excluded.role, status = excluded.status, created_at = excluded.created_at,
     expires_at = excluded.expires_at, accepted_by = excluded.accepted_by";
const UPSERT_MEMBER: &str = "INSERT INTO members(id, scope, unit_id, person_id, name, role)
     VALUES (?1, ?2, ?3, ?4, ?5, ?6)
     ON CONFLICT(id) DO UPDATE SET scope = excluded.scope, unit_id = excluded.unit_id,
     person_id = excluded.person_id, name = excluded.name, role = excluded.role";
const UPSERT_PARCEL: &str =
    "INSERT INTO parcels(id, scope, unit_id, recipient, carrier, tracking, status,
     logged_at, picked_up_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
     ON CONFLICT(id) DO UPDATE SET scope = excluded.scope, unit_id = excluded.unit_id,
     recipient = excluded.recipient, carrier = excluded.carrier,
     tracking = excluded.tracking, status = excluded.status,
     logged_at = excluded.logged_at, picked_up_at = excluded.picked_up_at";

/// The page's prepared upserts, made on first use.
#[derive(Default)]
struct Upserts<'t> {
    project: Option<CachedStatement<'t>>,
    unit: Option<CachedStatement<'t>>,
    membership: Option<CachedStatement<'t>>,
    profile: Option<CachedStatement<'t>>,
    parcel: Option<CachedStatement<'t>>,
    invite: Option<CachedStatement<'t>>,
    member: Option<CachedStatement<'t>>,
}

fn prepared<'s, 't>(
    slot: &'s mut Option<CachedStatement<'t>>,
    tx: &'t Transaction<'_>,
    sql: &str,
) -> Result<&'s mut CachedStatement<'t>> {
    if slot.is_none() {
        *slot = Some(tx.prepare_cached(sql)?);
    }
    slot.as_mut()
        .ok_or_else(|| crate::error::LobbyError::internal("statement not prepared").into())
}

impl<'t> Upserts<'t> {
    fn apply(&mut self, tx: &'t Transaction<'_>, c: &Change) -> Result<()> {
        let scope = c.scope.as_str();
        match &c.record {
            Record::Project(p) => {
                prepared(&mut self.project, tx, UPSERT_PROJECT)?.execute(params![
                    p.id,
                    scope,
                    p.name,
                    p.kind.as_str()
                ])?;
            }
            Record::Unit(u) => {
                prepared(&mut self.unit, tx, UPSERT_UNIT)?.execute(params![
                    u.id,
                    scope,
                    u.project_id,
                    u.number,
                    u.ownership_ratio.micros(),
                    u.arrears_months
                ])?;
            }
            Record::Membership(m) => {
                prepared(&mut self.membership, tx, UPSERT_MEMBERSHIP)?.execute(params![
                    m.id,
                    scope,
                    m.unit_id,
                    m.project_id,
                    m.role.as_str()
                ])?;
            }
            Record::Profile(p) => {
                prepared(&mut self.profile, tx, UPSERT_PROFILE)?.execute(params![
                    p.id,
                    scope,
                    p.legal_name,
                    p.display_name,
                    p.phone,
                    p.email
                ])?;
            }
            Record::Parcel(p) => {
                prepared(&mut self.parcel, tx, UPSERT_PARCEL)?.execute(params![
                    p.id,
                    scope,
                    p.unit_id,
                    p.recipient,
                    p.carrier,
                    p.tracking,
                    p.status,
                    p.logged_at,
                    p.picked_up_at
                ])?;
            }
            Record::Invite(i) => {
                prepared(&mut self.invite, tx, UPSERT_INVITE)?.execute(params![
                    i.id,
                    scope,
                    i.unit_id,
                    i.role.as_str(),
                    i.status.as_str(),
                    i.created_at.to_rfc3339(),
                    i.expires_at.to_rfc3339(),
                    i.accepted_by
                ])?;
            }
            Record::Member(m) => {
                prepared(&mut self.member, tx, UPSERT_MEMBER)?.execute(params![
                    m.id,
                    scope,
                    m.unit_id,
                    m.person_id,
                    m.name,
                    m.role.as_str()
                ])?;
            }
            Record::Deleted(d) => {
                let table = match d.kind {
                    EntityKind::Project => "projects",
                    EntityKind::Unit => "units",
                    EntityKind::Membership => "memberships",
                    EntityKind::Profile => "profile",
                    EntityKind::Parcel => "parcels",
                    EntityKind::Invite => "invites",
                    EntityKind::Member => "members",
                };
                tx.prepare_cached(&format!("DELETE FROM {table} WHERE id = ?1"))?
                    .execute([&d.id])?;
            }
        }
        Ok(())
    }
}

fn purge_scope(tx: &Transaction<'_>, scope: &str) -> Result<()> {
    for t in SYNCED_TABLES {
        tx.execute(&format!("DELETE FROM {t} WHERE scope = ?1"), [scope])?;
    }
    // A lost unit takes the person's membership of it too.
    if let Some(unit_id) = scope.strip_prefix("unit:") {
        tx.execute("DELETE FROM memberships WHERE unit_id = ?1", [unit_id])?;
        tx.execute(
            "DELETE FROM settings WHERE key = ?1 AND value = ?2",
            params![keys::CURRENT_UNIT, unit_id],
        )?;
    }
    tx.execute("DELETE FROM sync_cursors WHERE scope = ?1", [scope])?;
    Ok(())
}

/// One entry of the unit drop-down.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnitSummary {
    pub unit_id: String,
    pub unit_number: String,
    pub project_id: String,
    pub project_name: String,
    pub role: Role,
    /// The unit's ownership ratio (its vote weight before the s.45 cap), exact.
    pub ownership_ratio: lobby_model::Weight,
    pub arrears_months: u32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Membership {
    pub unit_id: String,
    pub role: Role,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Profile {
    pub person_id: String,
    pub legal_name: String,
    pub display_name: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    /// Edits queued on this phone and not yet confirmed by the server.
    pub pending_edits: u32,
}
