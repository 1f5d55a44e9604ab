//! The replica's meetings, read for the screens (offline: what the last sync brought).

use chrono::{DateTime, Utc};
use rusqlite::{params, OptionalExtension};

use crate::domain::voting::tally::Tally;
use crate::protocol::ItemResultRecord;
use crate::store::{Result, Store};

/// A meeting of one of the person's projects (or one where they hold a proxy).
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Meeting {
    pub meeting_id: String,
    pub project_id: String,
    pub title: String,
    /// `annual`, `extraordinary` or `committee`.
    pub kind: String,
    pub reconvened: bool,
    /// `draft`, `open` or `closed`.
    pub status: String,
    pub items: u32,
    /// Items whose voting is open now.
    pub items_open: u32,
}

/// A closed item's published result.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct ItemResult {
    pub tally: Tally,
    pub passed: bool,
    /// The ballot log's head after the item closed (hex SHA-256).
    pub chain_head: String,
}

/// An agenda item as synced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemRow {
    pub item_id: String,
    pub meeting_id: String,
    pub position: u32,
    pub title: String,
    pub resolution: String,
    pub status: String,
    pub result: Option<ItemResult>,
}

/// A unit the person may vote for at a meeting.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct VotingUnit {
    pub unit_id: String,
    pub unit_number: String,
    /// Held by proxy (not owned).
    pub by_proxy: bool,
    /// Months in arrears as the phone knows them (0 for proxied units).
    pub arrears_months: u32,
}

/// A receipt the phone keeps.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeptReceipt {
    pub hash: String,
    pub item_id: String,
    pub unit_id: String,
    pub choice: String,
    pub seq: u64,
    pub cast_at: DateTime<Utc>,
}

/// The latest accepted vote of a unit on an item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceiptRow {
    pub unit_id: String,
    pub choice: String,
    pub hash: String,
    pub cast_at: DateTime<Utc>,
}

/// A vote queued on this phone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingVote {
    pub mutation_id: String,
    pub unit_id: String,
    pub choice: String,
    pub created_at: DateTime<Utc>,
}

impl Store {
    /// Every meeting, newest first (draft and open before closed).
    pub fn meetings(&self) -> Result<Vec<Meeting>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT m.id, m.project_id, m.title, m.kind, m.reconvened, m.status,
                    (SELECT COUNT(*) FROM agenda_items i WHERE i.meeting_id = m.id),
                    (SELECT COUNT(*) FROM agenda_items i
                      WHERE i.meeting_id = m.id AND i.status = 'open')
             FROM meetings m
             ORDER BY m.status = 'closed', m.id DESC",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(Meeting {
                meeting_id: r.get(0)?,
                project_id: r.get(1)?,
                title: r.get(2)?,
                kind: r.get(3)?,
                reconvened: r.get(4)?,
                status: r.get(5)?,
                items: r.get(6)?,
                items_open: r.get(7)?,
            })
        })?;
        Ok(rows.collect::<std::result::Result<_, _>>()?)
    }

    pub fn meeting(&self, meeting_id: &str) -> Result<Option<Meeting>> {
        Ok(self
            .meetings()?
            .into_iter()
            .find(|m| m.meeting_id == meeting_id))
    }

    /// The meeting's agenda in order.
    pub fn agenda(&self, meeting_id: &str) -> Result<Vec<ItemRow>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, meeting_id, position, title, resolution, status, result
             FROM agenda_items WHERE meeting_id = ?1 ORDER BY position",
        )?;
        let rows = stmt.query_map([meeting_id], item_row)?;
        Ok(rows.collect::<std::result::Result<_, _>>()?)
    }

    pub fn agenda_item(&self, item_id: &str) -> Result<Option<ItemRow>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, meeting_id, position, title, resolution, status, result
             FROM agenda_items WHERE id = ?1",
        )?;
        Ok(stmt.query_row([item_id], item_row).optional()?)
    }

    /// The units the person votes for at the meeting: the units they own in its project
    /// and the units they hold by proxy at it.
    pub fn voting_units(&self, meeting_id: &str) -> Result<Vec<VotingUnit>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT ms.unit_id, COALESCE(u.number, ''), 0, COALESCE(u.arrears_months, 0)
             FROM memberships ms
             JOIN meetings m ON m.id = ?1 AND m.project_id = ms.project_id
             LEFT JOIN units u ON u.id = ms.unit_id
             WHERE ms.role = 'owner'
             UNION
             SELECT p.unit_id, p.unit_number, 1, 0 FROM meeting_proxies p
             WHERE p.meeting_id = ?1
               AND p.unit_id NOT IN (SELECT unit_id FROM memberships WHERE role = 'owner')
             ORDER BY 2",
        )?;
        let rows = stmt.query_map([meeting_id], |r| {
            Ok(VotingUnit {
                unit_id: r.get(0)?,
                unit_number: r.get(1)?,
                by_proxy: r.get(2)?,
                arrears_months: r.get(3)?,
            })
        })?;
        Ok(rows.collect::<std::result::Result<_, _>>()?)
    }

    /// Each unit's latest accepted vote on the item (from the synced receipts).
    pub fn latest_receipts(&self, item_id: &str) -> Result<Vec<ReceiptRow>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT unit_id, choice, id, cast_at FROM vote_receipts v
             WHERE item_id = ?1 AND seq = (SELECT MAX(seq) FROM vote_receipts w
                                           WHERE w.item_id = v.item_id AND w.unit_id = v.unit_id)
             ORDER BY unit_id",
        )?;
        let rows = stmt.query_map([item_id], |r| {
            Ok(ReceiptRow {
                unit_id: r.get(0)?,
                choice: r.get(1)?,
                hash: r.get(2)?,
                cast_at: r.get(3)?,
            })
        })?;
        Ok(rows.collect::<std::result::Result<_, _>>()?)
    }

    /// Votes on the item queued on this phone, oldest first.
    pub fn pending_votes(&self, item_id: &str) -> Result<Vec<PendingVote>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT mutation_id, unit_id, choice, created_at FROM votes_local
             WHERE item_id = ?1 ORDER BY created_at, mutation_id",
        )?;
        let rows = stmt.query_map([item_id], |r| {
            Ok(PendingVote {
                mutation_id: r.get(0)?,
                unit_id: r.get(1)?,
                choice: r.get(2)?,
                created_at: r.get(3)?,
            })
        })?;
        Ok(rows.collect::<std::result::Result<_, _>>()?)
    }

    /// Copies every synced receipt into the kept ones (which a reset does not clear).
    pub fn keep_receipts(&self) -> Result<()> {
        self.conn.execute(
            "INSERT OR IGNORE INTO receipts_kept (hash, meeting_id, item_id, unit_id, choice, seq, cast_at)
             SELECT id, meeting_id, item_id, unit_id, choice, seq, cast_at FROM vote_receipts",
            [],
        )?;
        Ok(())
    }

    /// The receipts kept for the meeting, in log order.
    pub fn kept_receipts(&self, meeting_id: &str) -> Result<Vec<KeptReceipt>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT hash, item_id, unit_id, choice, seq, cast_at FROM receipts_kept
             WHERE meeting_id = ?1 ORDER BY seq",
        )?;
        let rows = stmt.query_map(params![meeting_id], |r| {
            Ok(KeptReceipt {
                hash: r.get(0)?,
                item_id: r.get(1)?,
                unit_id: r.get(2)?,
                choice: r.get(3)?,
                seq: r.get::<_, i64>(4)?.max(0) as u64,
                cast_at: r.get(5)?,
            })
        })?;
        Ok(rows.collect::<std::result::Result<_, _>>()?)
    }
}

fn item_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<ItemRow> {
    let result: Option<String> = r.get(6)?;
    let result = match result {
        Some(json) => {
            let rec: ItemResultRecord = serde_json::from_str(&json).map_err(|e| {
                rusqlite::Error::FromSqlConversionFailure(6, rusqlite::types::Type::Text, e.into())
            })?;
            Some(ItemResult {
                tally: rec.tally,
                passed: rec.passed,
                chain_head: rec.chain_head,
            })
        }
        None => None,
    };
    Ok(ItemRow {
        item_id: r.get(0)?,
        meeting_id: r.get(1)?,
        position: r.get(2)?,
        title: r.get(3)?,
        resolution: r.get(4)?,
        status: r.get(5)?,
        result,
    })
}
