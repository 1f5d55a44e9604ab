//! The ballot log (DESIGN.md §2.7, *Integrity*): one append-only chain per meeting, each
//! entry bound by SHA-256 to the one before, so nobody — not the operator either — can
//! change, drop or reorder a vote afterwards without every later hash changing.
//!
//! **Entries.** The first is the [`Snapshot`] frozen before voting opens: every unit, its
//! weight after the s.45 cap, whether it may vote (arrears), its registered proxy, all
//! votes, the meeting kind and the reconvened flag. Then, in the order the server
//! accepted them: [`Ballot`]s (unit, item, choice, weight, who cast it, by proxy or
//! not, when), [`Entry::Attendance`] (staff recorded a unit present) and
//! [`Entry::ItemClosed`]. A ballot's hash is its receipt; an item's closing entry's hash
//! is the chain head published with its tally.
//!
//! **Hash.** `SHA-256("lobby/ballot-log/1" ‖ 0x0A ‖ prev ‖ 0x0A ‖ JSON(entry))`, hex,
//! where `prev` is the previous entry's hash (64 zeros before the first) and `JSON` is
//! serde_json's rendering of [`Entry`] — fields in declaration order, weights as decimal
//! strings — the same bytes on the server and the phone.
//!
//! **Checking** ([`verify_chain`]): sequence numbers from 0 without gaps, a snapshot
//! first and only first, every `prev` the hash before, every hash recomputed. Then
//! [`tally_from_chain`] recomputes an item's tally from the chain alone, with the same
//! [`super::tally::tally`] the server used; the phone compares it with the published one.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::tally::{tally, Choice, Tally, TallyInput};
use super::weights::Weights;
use crate::Weight;

const DOMAIN_TAG: &[u8] = b"lobby/ballot-log/1";
/// The `prev` of the first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// A unit as frozen before voting opens.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SnapshotUnit {
    pub unit_id: String,
    pub weight: Weight,
    /// False for a unit in arrears at a general meeting.
    pub may_vote: bool,
    pub arrears_months: u32,
    /// The registered proxy holder for this meeting, if any.
    pub proxy_holder: Option<String>,
}

/// The eligibility snapshot, the chain's first entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Snapshot {
    pub meeting_id: String,
    /// `annual`, `extraordinary` or `committee`.
    pub kind: String,
    pub reconvened: bool,
    pub all_votes: Weight,
    /// Sorted by unit id.
    pub units: Vec<SnapshotUnit>,
    pub frozen_at: DateTime<Utc>,
}

/// One accepted vote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ballot {
    pub item_id: String,
    pub unit_id: String,
    /// `approve`, `disapprove` or `abstain`.
    pub choice: String,
    pub weight: Weight,
    /// The person who cast it.
    pub cast_by: String,
    /// Cast by the unit's proxy holder.
    pub proxy: bool,
    pub at: DateTime<Utc>,
}

/// What one link of the chain records.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Entry {
    Snapshot(Snapshot),
    Ballot(Ballot),
    /// Staff recorded the unit present in the attendance register.
    Attendance {
        unit_id: String,
        at: DateTime<Utc>,
    },
    /// The item's voting closed: its tally is computed from everything before.
    ItemClosed {
        item_id: String,
        at: DateTime<Utc>,
    },
}

/// A link: its place, the hash before, what it records, its own hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChainEntry {
    pub seq: u64,
    pub prev: String,
    pub entry: Entry,
    pub hash: String,
}

/// The hash of `entry` following `prev`.
pub fn entry_hash(prev: &str, entry: &Entry) -> String {
    let mut h = Sha256::new();
    h.update(DOMAIN_TAG);
    h.update(b"\n");
    h.update(prev.as_bytes());
    h.update(b"\n");
    // Serialising these plain types cannot fail; an empty body would still be hashed
    // consistently on both sides.
    h.update(serde_json::to_vec(entry).unwrap_or_default());
    hex::encode(h.finalize())
}

/// The link that follows `last` (or starts the chain) recording `entry`.
pub fn next_link(last: Option<&ChainEntry>, entry: Entry) -> ChainEntry {
    link_after(last.map(|l| (l.seq, l.hash.as_str())), entry)
}

/// The link that follows the one at `(seq, hash)` (or starts the chain): what a store
/// that keeps only the last link's place and hash at hand needs.
pub fn link_after(last: Option<(u64, &str)>, entry: Entry) -> ChainEntry {
    let (seq, prev) = match last {
        Some((seq, hash)) => (seq + 1, hash.to_string()),
        None => (0, GENESIS.to_string()),
    };
    let hash = entry_hash(&prev, &entry);
    ChainEntry {
        seq,
        prev,
        entry,
        hash,
    }
}

/// Where and why a chain does not hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainBreak {
    pub seq: u64,
    pub why: &'static str,
}

/// Checks every link; the head's hash when the chain holds.
pub fn verify_chain(entries: &[ChainEntry]) -> Result<String, ChainBreak> {
    let mut prev = GENESIS.to_string();
    for (i, e) in entries.iter().enumerate() {
        let brk = |why| ChainBreak { seq: i as u64, why };
        if e.seq != i as u64 {
            return Err(brk("a sequence number is missing or out of order"));
        }
        if (i == 0) != matches!(e.entry, Entry::Snapshot(_)) {
            return Err(brk(
                "the snapshot must be the first entry and only the first",
            ));
        }
        if e.prev != prev {
            return Err(brk("the link to the previous entry is broken"));
        }
        if entry_hash(&e.prev, &e.entry) != e.hash {
            return Err(brk("the entry does not match its hash"));
        }
        prev = e.hash.clone();
    }
    if entries.is_empty() {
        return Err(ChainBreak {
            seq: 0,
            why: "the chain is empty",
        });
    }
    Ok(prev)
}

/// The tally of `item_id` recomputed from the chain alone: the snapshot's weights and
/// eligibility, the attendance recorded and the latest ballot of each unit before the
/// item closed (or up to the end, while it is open); a unit that voted on any item
/// counts as present. `None` without a snapshot.
pub fn tally_from_chain(entries: &[ChainEntry], item_id: &str) -> Option<Tally> {
    let Entry::Snapshot(snap) = &entries.first()?.entry else {
        return None;
    };
    let weights = Weights {
        by_unit: snap
            .units
            .iter()
            .map(|u| (u.unit_id.clone(), u.weight))
            .collect(),
        all_votes: snap.all_votes,
        capped_owner: None,
    };
    let may_vote: BTreeSet<String> = snap
        .units
        .iter()
        .filter(|u| u.may_vote)
        .map(|u| u.unit_id.clone())
        .collect();
    let mut registered = BTreeSet::new();
    let mut votes: BTreeMap<String, Choice> = BTreeMap::new();
    for e in &entries[1..] {
        match &e.entry {
            Entry::Ballot(b) => {
                // Voting online on any item makes the unit present at the meeting.
                registered.insert(b.unit_id.clone());
                if b.item_id == item_id {
                    if let Ok(c) = Choice::parse(&b.choice) {
                        votes.insert(b.unit_id.clone(), c);
                    }
                }
            }
            Entry::Attendance { unit_id, .. } => {
                registered.insert(unit_id.clone());
            }
            Entry::ItemClosed {
                item_id: closed, ..
            } if closed == item_id => break,
            _ => {}
        }
    }
    Some(tally(&TallyInput {
        weights: &weights,
        may_vote: &may_vote,
        registered: &registered,
        votes: &votes,
        reconvened: snap.reconvened,
    }))
}

/// How many entries of `entries` may be published while the meeting is still open: up
/// to the last point where every item with a ballot so far has closed, so the published
/// part never shows an open item's votes (results stay hidden until close). The
/// snapshot alone is always publishable; once the meeting has closed, all of it is.
pub fn publishable_len(entries: &[ChainEntry]) -> usize {
    let mut open: BTreeSet<&str> = BTreeSet::new();
    let mut cut = entries.len().min(1);
    for (i, e) in entries.iter().enumerate().skip(1) {
        match &e.entry {
            Entry::Ballot(b) => {
                open.insert(b.item_id.as_str());
            }
            Entry::ItemClosed { item_id, .. } => {
                open.remove(item_id.as_str());
            }
            _ => {}
        }
        if open.is_empty() {
            cut = i + 1;
        }
    }
    cut
}

/// The closing entry of `item_id` in `entries`, if it is there.
pub fn item_closing<'a>(entries: &'a [ChainEntry], item_id: &str) -> Option<&'a ChainEntry> {
    entries
        .iter()
        .find(|e| matches!(&e.entry, Entry::ItemClosed { item_id: i, .. } if i == item_id))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000 + s, 0).unwrap()
    }

    fn w(s: &str) -> Weight {
        Weight::parse(s).unwrap()
    }

    fn unit(id: &str, weight: &str, may_vote: bool) -> SnapshotUnit {
        SnapshotUnit {
            unit_id: id.into(),
            weight: w(weight),
            may_vote,
            arrears_months: if may_vote { 0 } else { 7 },
            proxy_holder: None,
        }
    }

    fn ballot(item: &str, unit: &str, choice: &str, weight: &str, s: i64) -> Entry {
        Entry::Ballot(Ballot {
            item_id: item.into(),
            unit_id: unit.into(),
            choice: choice.into(),
            weight: w(weight),
            cast_by: format!("p-{unit}"),
            proxy: false,
            at: at(s),
        })
    }

    fn chain() -> Vec<ChainEntry> {
        let entries = vec![
            Entry::Snapshot(Snapshot {
                meeting_id: "m1".into(),
                kind: "annual".into(),
                reconvened: false,
                all_votes: w("10"),
                units: vec![
                    unit("a", "4", true),
                    unit("b", "3", true),
                    unit("c", "2", true),
                    unit("d", "1", false),
                ],
                frozen_at: at(0),
            }),
            ballot("i1", "a", "disapprove", "4", 1),
            ballot("i1", "b", "approve", "3", 2),
            Entry::Attendance {
                unit_id: "c".into(),
                at: at(3),
            },
            ballot("i1", "a", "approve", "4", 4), // changed
            Entry::ItemClosed {
                item_id: "i1".into(),
                at: at(5),
            },
            ballot("i2", "c", "approve", "2", 6),
        ];
        let mut out: Vec<ChainEntry> = Vec::new();
        for e in entries {
            let link = next_link(out.last(), e);
            out.push(link);
        }
        out
    }

    #[test]
    fn a_chain_verifies_and_its_tally_is_recomputed_from_it_alone() {
        let c = chain();
        let head = verify_chain(&c).unwrap();
        assert_eq!(head, c.last().unwrap().hash);
        let t = tally_from_chain(&c, "i1").unwrap();
        // a's latest is approve (4), b approve (3), c present and silent (2).
        assert_eq!(
            (t.approve, t.disapprove, t.did_not_vote),
            (w("7"), w("0"), w("2"))
        );
        assert_eq!((t.attending, t.all_votes), (w("9"), w("10")));
        assert!(t.quorum);
        // i2 is still open: c's vote counts, a and b attended without voting on it.
        let t2 = tally_from_chain(&c, "i2").unwrap();
        assert_eq!((t2.approve, t2.did_not_vote), (w("2"), w("7")));
    }

    #[test]
    fn any_change_to_any_entry_breaks_the_chain_where_it_was_made() {
        let good = chain();
        // Change a vote's choice.
        let mut c = good.clone();
        if let Entry::Ballot(b) = &mut c[1].entry {
            b.choice = "approve".into();
        }
        assert_eq!(verify_chain(&c).unwrap_err().seq, 1);
        // Recompute that entry's hash too: the next link no longer points at it.
        c[1].hash = entry_hash(&c[1].prev, &c[1].entry);
        assert_eq!(verify_chain(&c).unwrap_err().seq, 2);
        // Drop a ballot.
        let mut c = good.clone();
        c.remove(2);
        assert!(verify_chain(&c).is_err());
        // Swap two entries.
        let mut c = good.clone();
        c.swap(1, 2);
        assert!(verify_chain(&c).is_err());
        // Change a weight in the snapshot.
        let mut c = good.clone();
        if let Entry::Snapshot(s) = &mut c[0].entry {
            s.units[0].weight = w("40");
        }
        assert_eq!(verify_chain(&c).unwrap_err().seq, 0);
        // A second snapshot later.
        let mut c = good;
        let again = c[0].entry.clone();
        let link = next_link(c.last(), again);
        c.push(link);
        assert!(verify_chain(&c).is_err());
    }

    #[test]
    fn the_hash_is_stable_across_builds() {
        // The first link's hash is fixed by the format: a change to the hashing or to
        // the entry's JSON (field order, weight format) must show up here.
        let c = chain();
        assert_eq!(c[0].prev, GENESIS);
        assert_eq!(c[0].hash.len(), 64);
        let json = serde_json::to_string(&c[1].entry).unwrap();
        assert_eq!(
            json,
            r#"{"ballot":{"item_id":"i1","unit_id":"a","choice":"disapprove","weight":"4","cast_by":"p-a","proxy":false,"at":"2027-01-15T08:00:01Z"}}"#
        );
        assert_eq!(entry_hash(GENESIS, &c[1].entry), PINNED);
    }

    #[test]
    fn only_the_part_where_no_item_with_ballots_is_open_is_published() {
        let c = chain();
        // i2 has a ballot and is still open: everything up to i1's close is published.
        assert_eq!(publishable_len(&c), 6);
        assert_eq!(publishable_len(&c[..3]), 1); // i1's ballots, i1 open
        assert_eq!(publishable_len(&c[..1]), 1);
        assert_eq!(publishable_len(&[]), 0);
        let mut closed = c.clone();
        let link = next_link(
            closed.last(),
            Entry::ItemClosed {
                item_id: "i2".into(),
                at: at(7),
            },
        );
        closed.push(link);
        assert_eq!(publishable_len(&closed), 8);
        assert_eq!(item_closing(&closed, "i2").map(|e| e.seq), Some(7));
        assert!(item_closing(&c, "i2").is_none());
    }

    const PINNED: &str = "39d74642fe7d7164385fcee5588dc723ed29cd54ef944f989784441aacdd593f";
}
