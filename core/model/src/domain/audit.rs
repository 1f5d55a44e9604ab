//! The audit log of staff actions touching personal data (DESIGN.md §2.8, issue 11): who
//! did what to whom, and when — one append-only chain per project, each entry bound by
//! SHA-256 to the one before, so an entry rewritten, dropped or reordered afterwards is
//! detected by [`verify`], by staff reading the log or by anyone holding a copy.
//!
//! **Hash.** `SHA-256("lobby/audit-log/1" ‖ 0x0A ‖ prev ‖ 0x0A ‖ JSON(event))`, hex, where
//! `prev` is the hash before (64 zeros before the first) and `JSON` is serde_json's
//! rendering of [`AuditEvent`] (fields in declaration order, the time in milliseconds).
//!
//! The event names the subject by id (a unit, an invoice, a request, a person) and never
//! carries the personal data itself: the log proves what was done without becoming one
//! more copy of what it protects.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

const DOMAIN_TAG: &[u8] = b"lobby/audit-log/1";
/// The `prev` of a chain's first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// What one staff action was.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEvent {
    /// Milliseconds since the epoch, UTC.
    pub at_ms: i64,
    /// The staff credential that acted.
    pub staff_id: String,
    /// `invoice.confirm`, `owners.import`, `privacy_request.decide`, …
    pub action: String,
    /// The id of what it acted on.
    pub subject: String,
}

impl AuditEvent {
    pub fn new(at: DateTime<Utc>, staff_id: &str, action: &str, subject: &str) -> AuditEvent {
        AuditEvent {
            at_ms: at.timestamp_millis(),
            staff_id: staff_id.to_string(),
            action: action.to_string(),
            subject: subject.to_string(),
        }
    }
}

/// A link of a project's chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditLink {
    pub seq: u64,
    pub prev: String,
    pub event: AuditEvent,
    pub hash: String,
}

/// The hash of `event` following `prev`.
pub fn event_hash(prev: &str, event: &AuditEvent) -> String {
    let mut h = Sha256::new();
    h.update(DOMAIN_TAG);
    h.update(b"\n");
    h.update(prev.as_bytes());
    h.update(b"\n");
    // Plain strings and an integer: serialising cannot fail.
    h.update(serde_json::to_vec(event).unwrap_or_default());
    hex::encode(h.finalize())
}

/// The link after the one at `(seq, hash)` (or the chain's first).
pub fn link_after(last: Option<(u64, &str)>, event: AuditEvent) -> AuditLink {
    let (seq, prev) = match last {
        Some((seq, hash)) => (seq + 1, hash.to_string()),
        None => (0, GENESIS.to_string()),
    };
    let hash = event_hash(&prev, &event);
    AuditLink {
        seq,
        prev,
        event,
        hash,
    }
}

/// Where a chain stops holding, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditBreak {
    pub seq: u64,
    pub why: &'static str,
}

/// Checks every link of a whole chain (an empty one holds).
pub fn verify(links: &[AuditLink]) -> Result<(), AuditBreak> {
    let mut prev = GENESIS;
    for (i, l) in links.iter().enumerate() {
        let brk = |why| AuditBreak { seq: i as u64, why };
        if l.seq != i as u64 {
            return Err(brk("a sequence number is missing or out of order"));
        }
        if l.prev != prev {
            return Err(brk("the link to the previous entry is broken"));
        }
        if event_hash(&l.prev, &l.event) != l.hash {
            return Err(brk("the entry does not match its hash"));
        }
        prev = &l.hash;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(n: usize) -> Vec<AuditLink> {
        let mut out: Vec<AuditLink> = Vec::new();
        for i in 0..n {
            let last = out.last().map(|l| (l.seq, l.hash.as_str()));
            let event = AuditEvent::new(
                DateTime::<Utc>::from_timestamp(1_795_000_000 + i as i64, 0).unwrap(),
                "staff-1",
                "invoice.confirm",
                &format!("inv-{i}"),
            );
            let link = link_after(last, event);
            out.push(link);
        }
        out
    }

    #[test]
    fn a_chain_holds_and_every_kind_of_tampering_is_found() {
        let good = chain(5);
        assert_eq!(verify(&good), Ok(()));
        assert_eq!(verify(&[]), Ok(()));

        let mut edited = good.clone();
        edited[2].event.subject = "inv-999".into();
        assert_eq!(verify(&edited).unwrap_err().seq, 2);

        // Rewritten and re-hashed: the next link no longer follows.
        let mut rehashed = good.clone();
        rehashed[2].event.staff_id = "staff-2".into();
        rehashed[2].hash = event_hash(&rehashed[2].prev, &rehashed[2].event);
        assert_eq!(verify(&rehashed).unwrap_err().seq, 3);

        let mut dropped = good.clone();
        dropped.remove(1);
        assert_eq!(verify(&dropped).unwrap_err().seq, 1);

        let mut swapped = good;
        swapped.swap(3, 4);
        assert_eq!(verify(&swapped).unwrap_err().seq, 3);
    }
}
