//! Checking a phone's receipts against a published ballot log (DESIGN.md §2.7,
//! *Integrity*; `lobby receipts verify`): the one computation a voter's phone makes to
//! hold the server to its word.
//!
//! 1. **The chain holds** ([`verify_chain`]): every link, from the snapshot on.
//! 2. **Each receipt is in it**: the entry at the receipt's place has the receipt's hash
//!    and records the vote the phone cast (item, unit, choice). A receipt past the
//!    published part while the meeting is open is *unpublished* (its item, or another
//!    cast alongside, is still open), not missing.
//! 3. **Each published result matches**: the item's closing entry is the published chain
//!    head, the tally recomputed from the chain alone ([`tally_from_chain`], the function
//!    the server used) equals the published tally, and so does whether it passed.
//!
//! Any difference is reported, never repaired.

use super::chain::{item_closing, tally_from_chain, verify_chain, ChainEntry, Entry};
use super::resolution::ResolutionType;
use super::tally::{passed, Tally};

/// A receipt as the phone keeps it.
#[derive(Debug, Clone, Copy)]
pub struct Receipt<'a> {
    pub hash: &'a str,
    pub seq: u64,
    pub item_id: &'a str,
    pub unit_id: &'a str,
    pub choice: &'a str,
}

/// An item's result as the server published it.
#[derive(Debug, Clone, Copy)]
pub struct Published<'a> {
    pub item_id: &'a str,
    pub resolution: ResolutionType,
    pub tally: &'a Tally,
    pub passed: bool,
    pub chain_head: &'a str,
}

/// What the check found about one published result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemCheck {
    pub item_id: String,
    /// The item's closing entry is in the published log.
    pub in_log: bool,
    /// The closing entry's hash is the published chain head.
    pub head_matches: bool,
    /// The tally recomputed from the log (when the closing entry is in it).
    pub recomputed: Option<Tally>,
    /// The recomputed tally and pass/fail equal the published ones, and the head matches.
    pub matches: bool,
}

/// The whole report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceiptReport {
    /// `None` when the chain holds; otherwise where and why it breaks.
    pub chain_break: Option<(u64, &'static str)>,
    /// Receipt hashes found with the vote they claim.
    pub verified: Vec<String>,
    /// Receipt hashes the published log should hold but does not (or holds with another
    /// vote).
    pub missing: Vec<String>,
    /// Receipt hashes past the part published so far.
    pub unpublished: Vec<String>,
    pub items: Vec<ItemCheck>,
}

impl ReceiptReport {
    /// The chain holds and every result that could be checked matches it.
    pub fn tally_matches(&self) -> bool {
        self.chain_break.is_none() && self.items.iter().all(|i| !i.in_log || i.matches)
    }
}

/// Checks `receipts` and `published` results against `entries` (`complete`: the log is
/// the whole of a closed meeting's).
pub fn check_receipts(
    entries: &[ChainEntry],
    complete: bool,
    receipts: &[Receipt<'_>],
    published: &[Published<'_>],
) -> ReceiptReport {
    let chain_break = verify_chain(entries).err().map(|b| (b.seq, b.why));
    let mut report = ReceiptReport {
        chain_break,
        verified: Vec::new(),
        missing: Vec::new(),
        unpublished: Vec::new(),
        items: Vec::new(),
    };
    for r in receipts {
        let found = usize::try_from(r.seq)
            .ok()
            .and_then(|i| entries.get(i))
            .filter(|e| e.hash == r.hash)
            .is_some_and(|e| {
                matches!(&e.entry, Entry::Ballot(b)
                    if b.item_id == r.item_id && b.unit_id == r.unit_id && b.choice == r.choice)
            });
        let list = if found && report.chain_break.is_none() {
            &mut report.verified
        } else if !complete && r.seq >= entries.len() as u64 {
            &mut report.unpublished
        } else {
            &mut report.missing
        };
        list.push(r.hash.to_string());
    }
    for p in published {
        let closing = item_closing(entries, p.item_id);
        let head_matches = closing.is_some_and(|e| e.hash == p.chain_head);
        let recomputed = closing.and_then(|_| tally_from_chain(entries, p.item_id));
        let matches = report.chain_break.is_none()
            && head_matches
            && recomputed.as_ref() == Some(p.tally)
            && recomputed.is_some_and(|t| passed(p.resolution, &t) == p.passed);
        report.items.push(ItemCheck {
            item_id: p.item_id.to_string(),
            in_log: closing.is_some(),
            head_matches,
            recomputed,
            matches,
        });
    }
    report
}

#[cfg(test)]
mod tests {
    use chrono::DateTime;

    use super::*;
    use crate::domain::voting::chain::{next_link, Ballot, Snapshot, SnapshotUnit};
    use crate::Weight;

    fn w(s: &str) -> Weight {
        Weight::parse(s).unwrap()
    }

    fn log() -> Vec<ChainEntry> {
        let at = DateTime::from_timestamp(1_800_000_000, 0).unwrap();
        let unit = |id: &str, weight: &str| SnapshotUnit {
            unit_id: id.into(),
            weight: w(weight),
            may_vote: true,
            arrears_months: 0,
            proxy_holder: None,
        };
        let ballot = |unit: &str, choice: &str, weight: &str| {
            Entry::Ballot(Ballot {
                item_id: "i1".into(),
                unit_id: unit.into(),
                choice: choice.into(),
                weight: w(weight),
                cast_by: format!("p-{unit}"),
                proxy: false,
                at,
            })
        };
        let mut out: Vec<ChainEntry> = Vec::new();
        for e in [
            Entry::Snapshot(Snapshot {
                meeting_id: "m".into(),
                kind: "annual".into(),
                reconvened: false,
                all_votes: w("10"),
                units: vec![unit("a", "6"), unit("b", "4")],
                frozen_at: at,
            }),
            ballot("a", "approve", "6"),
            ballot("b", "disapprove", "4"),
            Entry::ItemClosed {
                item_id: "i1".into(),
                at,
            },
        ] {
            let link = next_link(out.last(), e);
            out.push(link);
        }
        out
    }

    fn published_tally() -> Tally {
        Tally {
            approve: w("6"),
            disapprove: w("4"),
            abstain: w("0"),
            did_not_vote: w("0"),
            attending: w("10"),
            all_votes: w("10"),
            quorum: true,
        }
    }

    fn run(entries: &[ChainEntry], tally: &Tally, head: &str) -> ReceiptReport {
        let hash = entries[1].hash.clone();
        let receipt = Receipt {
            hash: &hash,
            seq: 1,
            item_id: "i1",
            unit_id: "a",
            choice: "approve",
        };
        check_receipts(
            entries,
            true,
            &[receipt],
            &[Published {
                item_id: "i1",
                resolution: ResolutionType::MajorityOfAttendees,
                tally,
                passed: true,
                chain_head: head,
            }],
        )
    }

    #[test]
    fn an_honest_log_verifies_every_receipt_and_the_tally() {
        let l = log();
        let r = run(&l, &published_tally(), &l[3].hash.clone());
        assert_eq!(r.chain_break, None);
        assert_eq!((r.verified.len(), r.missing.len()), (1, 0));
        assert!(r.tally_matches(), "{r:?}");
    }

    #[test]
    fn a_published_tally_that_is_not_the_chains_is_reported() {
        let l = log();
        let mut t = published_tally();
        t.approve = w("10");
        t.disapprove = w("0");
        let r = run(&l, &t, &l[3].hash.clone());
        assert!(!r.tally_matches());
        assert_eq!(r.items[0].recomputed, Some(published_tally()));
        // A wrong chain head alone is a mismatch too.
        let r = run(&l, &published_tally(), &l[2].hash.clone());
        assert!(!r.tally_matches());
    }

    #[test]
    fn a_changed_vote_breaks_the_chain_and_the_receipt_is_not_verified() {
        let mut l = log();
        if let Entry::Ballot(b) = &mut l[1].entry {
            b.choice = "disapprove".into();
        }
        let head = l[3].hash.clone();
        let r = run(&l, &published_tally(), &head);
        assert_eq!(r.chain_break.map(|b| b.0), Some(1));
        assert!(r.verified.is_empty());
        assert!(!r.tally_matches());
    }

    #[test]
    fn a_rewritten_log_with_fresh_hashes_loses_the_receipt() {
        // The operator rewrites a's vote and recomputes every hash: the chain holds,
        // but the receipt's hash is no longer in it.
        let l = log();
        let mut forged: Vec<ChainEntry> = Vec::new();
        for (i, e) in l.iter().enumerate() {
            let mut entry = e.entry.clone();
            if i == 1 {
                if let Entry::Ballot(b) = &mut entry {
                    b.choice = "disapprove".into();
                }
            }
            let link = next_link(forged.last(), entry);
            forged.push(link);
        }
        let hash = l[1].hash.clone();
        let r = check_receipts(
            &forged,
            true,
            &[Receipt {
                hash: &hash,
                seq: 1,
                item_id: "i1",
                unit_id: "a",
                choice: "approve",
            }],
            &[],
        );
        assert_eq!(r.chain_break, None);
        assert_eq!(r.missing, vec![hash]);
    }

    #[test]
    fn a_receipt_past_the_published_part_of_an_open_meeting_is_unpublished() {
        let l = log();
        let hash = "f".repeat(64);
        let r = check_receipts(
            &l[..1],
            false,
            &[Receipt {
                hash: &hash,
                seq: 5,
                item_id: "i2",
                unit_id: "a",
                choice: "approve",
            }],
            &[],
        );
        assert_eq!(r.unpublished, vec![hash.clone()]);
        // Once the meeting has closed, the whole log is published: it is missing.
        let r = check_receipts(
            &l,
            true,
            &[Receipt {
                hash: &hash,
                seq: 5,
                item_id: "i2",
                unit_id: "a",
                choice: "approve",
            }],
            &[],
        );
        assert_eq!(r.missing, vec![hash]);
    }
}
