//! The replica's announcements for one unit, with this phone's reading state.

use chrono::{DateTime, Utc};
use rusqlite::params;

use crate::domain::announcements::{is_unread, AnnouncementKind, ReadState};
use crate::protocol::FileRef;
use crate::store::{Result, Store};

/// An announcement as the list shows it for one unit.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Announcement {
    pub announcement_id: String,
    /// The unit it is shown for.
    pub unit_id: String,
    pub title: String,
    pub body: String,
    pub kind: AnnouncementKind,
    pub posted_at: DateTime<Utc>,
    pub expires_at: Option<DateTime<Utc>>,
    /// Still counts as unread (a badge).
    pub unread: bool,
    /// Opened here (for an acknowledge kind: acknowledged).
    pub opened: bool,
    /// An image or PDF ([`crate::AnnouncementsClient::attachment`] fetches it).
    pub attachment: Option<Attachment>,
}

/// What a list needs to know of an attachment before fetching it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Attachment {
    pub file_id: String,
    /// `image/jpeg`, `image/png` or `application/pdf`.
    pub content_type: String,
    pub size: u64,
}

/// A unit's unread count.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct UnitUnread {
    pub unit_id: String,
    pub unread: u32,
}

impl Store {
    /// The unit's announcements (its project's and those addressed to it), newest first.
    pub fn announcements(&self, unit_id: &str, now: DateTime<Utc>) -> Result<Vec<Announcement>> {
        let left = self.list_left_at(unit_id)?;
        let mut stmt = self.conn.prepare_cached(
            "SELECT a.announcement_id, a.title, a.body, a.kind, a.posted_at, a.expires_at,
                    o.opened_at IS NOT NULL, a.attachment_id, a.attachment_content_type,
                    a.attachment_size
             FROM announcements a
             LEFT JOIN announcement_opened o
                    ON o.announcement_id = a.announcement_id AND o.unit_id = ?1
             WHERE a.unit_id = ?1
                OR (a.unit_id IS NULL
                    AND a.project_id = (SELECT project_id FROM units WHERE id = ?1))
             ORDER BY a.posted_at DESC, a.announcement_id DESC",
        )?;
        let rows = stmt.query_map([unit_id], |r| {
            let kind: String = r.get(3)?;
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                kind,
                r.get::<_, DateTime<Utc>>(4)?,
                r.get::<_, Option<DateTime<Utc>>>(5)?,
                r.get::<_, bool>(6)?,
                match r.get::<_, Option<String>>(7)? {
                    Some(file_id) => Some(Attachment {
                        file_id,
                        content_type: r.get::<_, Option<String>>(8)?.unwrap_or_default(),
                        size: r.get::<_, Option<i64>>(9)?.unwrap_or(0).max(0) as u64,
                    }),
                    None => None,
                },
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (announcement_id, title, body, kind, posted_at, expires_at, opened, attachment) =
                row?;
            let Ok(kind) = AnnouncementKind::parse(&kind) else {
                continue;
            };
            let state = ReadState {
                kind,
                posted_at,
                expires_at,
                opened,
            };
            out.push(Announcement {
                announcement_id,
                unit_id: unit_id.to_string(),
                title,
                body,
                kind,
                posted_at,
                expires_at,
                unread: is_unread(&state, left, now),
                opened,
                attachment,
            });
        }
        Ok(out)
    }

    /// The unit's unread count: the rows `announcement_unread` keeps for it (schema
    /// migration 10 — the rule of [`is_unread`] in SQL, kept by triggers), less those
    /// expired by `now`. [`Store::announcements`] applies [`is_unread`] row by row; a test
    /// holds the two to the same answer. Timestamps are compared as stored (UTC, one
    /// format), which orders them.
    pub fn unread_count(&self, unit_id: &str, now: DateTime<Utc>) -> Result<u32> {
        let n: i64 = self
            .conn
            .prepare_cached(
                "SELECT COUNT(*) FROM announcement_unread
                 WHERE unit_id = ?1 AND (expires_at IS NULL OR expires_at > ?2)",
            )?
            .query_row(params![unit_id, now], |r| r.get(0))?;
        Ok(n.max(0) as u32)
    }

    /// Unread counts for every unit the person belongs to.
    pub fn unread_counts(&self, now: DateTime<Utc>) -> Result<Vec<UnitUnread>> {
        let units: Vec<String> = self
            .conn
            .prepare_cached("SELECT unit_id FROM memberships ORDER BY unit_id")?
            .query_map([], |r| r.get(0))?
            .collect::<std::result::Result<_, _>>()?;
        let mut out = Vec::with_capacity(units.len());
        for unit_id in units {
            let unread = self.unread_count(&unit_id, now)?;
            out.push(UnitUnread { unit_id, unread });
        }
        Ok(out)
    }

    fn list_left_at(&self, unit_id: &str) -> Result<Option<DateTime<Utc>>> {
        Ok(self
            .conn
            .prepare_cached("SELECT left_at FROM announcement_lists_left WHERE unit_id = ?1")?
            .query_map([unit_id], |r| r.get(0))?
            .next()
            .transpose()?)
    }

    /// The attachment of the announcement as the unit sees it.
    pub fn announcement_attachment(
        &self,
        announcement_id: &str,
        unit_id: &str,
    ) -> Result<Option<FileRef>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT attachment_id, attachment_content_type, attachment_size, attachment_sha256
             FROM announcements
             WHERE announcement_id = ?1 AND attachment_id IS NOT NULL
               AND (unit_id = ?2 OR (unit_id IS NULL
                    AND project_id = (SELECT project_id FROM units WHERE id = ?2)))",
        )?;
        let mut rows = stmt.query(params![announcement_id, unit_id])?;
        Ok(match rows.next()? {
            Some(r) => Some(FileRef {
                id: r.get(0)?,
                content_type: r.get(1)?,
                size: r.get::<_, i64>(2)?.max(0) as u64,
                sha256: r.get(3)?,
            }),
            None => None,
        })
    }

    /// The person opened and left the unit's list now.
    pub fn announcement_list_left(&self, unit_id: &str, now: DateTime<Utc>) -> Result<()> {
        self.conn.execute(
            "INSERT INTO announcement_lists_left (unit_id, left_at) VALUES (?1, ?2)
             ON CONFLICT (unit_id) DO UPDATE SET left_at = excluded.left_at",
            params![unit_id, now],
        )?;
        Ok(())
    }

    /// Records the announcement opened in the unit; whether it was the first time.
    pub fn announcement_opened(
        &self,
        announcement_id: &str,
        unit_id: &str,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        Ok(self.conn.execute(
            "INSERT INTO announcement_opened (announcement_id, unit_id, opened_at)
             VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING",
            params![announcement_id, unit_id, now],
        )? == 1)
    }
}

#[cfg(test)]
mod tests {
    use chrono::Duration;

    use super::*;
    use crate::protocol::{
        AnnouncementRecord, Change, DeletedRecord, EntityKind, PullResponse, Record, UnitRecord,
    };

    fn unit(id: &str, project_id: &str) -> Record {
        Record::Unit(UnitRecord {
            id: id.into(),
            project_id: project_id.into(),
            number: "1".into(),
            ownership_ratio: crate::domain::weight::Weight::whole(1),
            arrears_months: 0,
        })
    }

    fn announcement(i: i64, t0: DateTime<Utc>, kind: &str) -> Record {
        let unit = match i % 3 {
            0 => None,
            1 => Some("u1".to_string()),
            _ => Some("u2".to_string()),
        };
        Record::Announcement(AnnouncementRecord {
            id: match &unit {
                Some(u) => format!("a{i}/{u}"),
                None => format!("a{i}"),
            },
            announcement_id: format!("a{i}"),
            project_id: if i % 7 == 0 { "p2".into() } else { "p1".into() },
            unit_id: unit,
            title: "t".into(),
            body: "b".into(),
            kind: kind.into(),
            // Whole seconds and fractions mixed, as servers send them.
            posted_at: t0 + Duration::milliseconds(i * 1_500),
            expires_at: (i % 5 == 0).then(|| t0 + Duration::seconds(i * 2)),
            attachment: None,
        })
    }

    fn apply(store: &mut Store, records: Vec<Record>) {
        let page = PullResponse {
            epoch: 1,
            reset: false,
            changes: records
                .into_iter()
                .enumerate()
                .map(|(i, record)| Change {
                    seq: i as i64 + 1,
                    scope: "project:p1".into(),
                    record,
                })
                .collect(),
            cursors: Default::default(),
            removed_scopes: Vec::new(),
            has_more: false,
        };
        store.apply_pull_page(&page).unwrap();
    }

    /// The kept count and the rule in Rust agree, whatever arrived first, was opened,
    /// left (forwards or back), changed kind, expired or was deleted, and wherever the
    /// unit moved: every write the triggers of migration 10 must follow.
    #[test]
    fn the_kept_count_is_the_domain_rule() {
        let mut store = Store::open_in_memory().unwrap();
        let t0 = DateTime::<Utc>::from_timestamp(1_795_000_000, 123_456_000).unwrap();
        let check = |s: &Store, step: &str| {
            for k in 0..8i64 {
                let now = t0 + Duration::milliseconds(k * 13_700);
                for u in ["u1", "u2"] {
                    let by_rule = s
                        .announcements(u, now)
                        .unwrap()
                        .iter()
                        .filter(|a| a.unread)
                        .count() as u32;
                    assert_eq!(s.unread_count(u, now).unwrap(), by_rule, "{step} {u} {k}");
                }
            }
        };
        // Announcements arrive before the units they are for.
        let kind = |i: i64| if i % 4 == 0 { "acknowledge" } else { "general" };
        apply(
            &mut store,
            (0..60).map(|i| announcement(i, t0, kind(i))).collect(),
        );
        check(&store, "no units yet");
        apply(&mut store, vec![unit("u1", "p1"), unit("u2", "p1")]);
        check(&store, "units arrived");
        assert!(store.unread_count("u1", t0).unwrap() > 10);

        store
            .announcement_list_left("u1", t0 + Duration::seconds(20))
            .unwrap();
        check(&store, "list left");
        store
            .announcement_list_left("u1", t0 + Duration::seconds(5))
            .unwrap();
        check(&store, "list left, the clock set back");
        for i in (0..60).step_by(5) {
            store
                .announcement_opened(&format!("a{i}"), "u1", t0)
                .unwrap();
        }
        check(&store, "opened");
        // Kinds change on a re-sync; some are deleted.
        apply(
            &mut store,
            (0..60)
                .filter(|i| i % 2 == 1)
                .map(|i| announcement(i, t0, if i % 3 == 0 { "general" } else { "acknowledge" }))
                .collect(),
        );
        check(&store, "kinds changed");
        apply(
            &mut store,
            [3, 4, 6, 7]
                .iter()
                .map(|i| {
                    Record::Deleted(DeletedRecord {
                        kind: EntityKind::Announcement,
                        id: match i % 3 {
                            0 => format!("a{i}"),
                            1 => format!("a{i}/u1"),
                            _ => format!("a{i}/u2"),
                        },
                    })
                })
                .collect(),
        );
        check(&store, "deleted");
        apply(&mut store, vec![unit("u2", "p2")]);
        check(&store, "a unit moved project");
        store
            .connection()
            .execute(
                "DELETE FROM announcement_opened WHERE announcement_id = 'a10'",
                [],
            )
            .unwrap();
        store
            .connection()
            .execute("DELETE FROM announcement_lists_left", [])
            .unwrap();
        check(&store, "reading state forgotten");
        apply(
            &mut store,
            vec![Record::Deleted(DeletedRecord {
                kind: EntityKind::Unit,
                id: "u1".into(),
            })],
        );
        check(&store, "a unit gone");
    }
}
