//! Realistic downstream data for the apply benchmark: parcels with Thai text, serialised
//! exactly as the server's pull endpoint sends them, in pages.

use chrono::{DateTime, Duration, Utc};
use lobby_core::protocol::{Change, ParcelRecord, PullResponse, Record};
use std::collections::BTreeMap;

pub const TOTAL: usize = 100_000;

const RECIPIENTS: &[&str] = &[
    "สมชาย ใจดี",
    "วิภา ศรีสุข",
    "Jane Doe",
    "ประยุทธ์ ทองดี",
    "มานี มีนา",
];
const CARRIERS: &[&str] = &[
    "ไปรษณีย์ไทย",
    "Kerry Express",
    "Flash Express",
    "J&T Express",
    "Lazada Express",
];

pub fn parcel(i: usize) -> ParcelRecord {
    let t0 = DateTime::<Utc>::from_timestamp(1_795_000_000, 0).unwrap_or_default();
    ParcelRecord {
        id: format!("01J9ZPARCEL{i:015}"),
        unit_id: format!("unit-{:04}", i % 400),
        recipient: RECIPIENTS[i % RECIPIENTS.len()].to_string(),
        carrier: CARRIERS[i % CARRIERS.len()].to_string(),
        tracking: Some(format!("TH{:012}", i * 7919)),
        status: "waiting".to_string(),
        logged_at: t0 + Duration::seconds(i as i64),
        picked_up_at: None,
        logged_by: Some("สมศรี นิติบุคคล".into()),
        handover: None,
        returned: None,
        photo: None,
    }
}

/// The pages the server would send for `TOTAL` changes, as raw JSON bytes.
pub fn pull_pages(page_size: usize) -> Vec<Vec<u8>> {
    let mut pages = Vec::new();
    let mut start = 0;
    while start < TOTAL {
        let end = (start + page_size).min(TOTAL);
        let changes: Vec<Change> = (start..end)
            .map(|i| {
                let p = parcel(i);
                Change {
                    seq: i as i64 + 1,
                    scope: format!("unit:{}", p.unit_id),
                    record: Record::Parcel(p),
                }
            })
            .collect();
        let mut cursors = BTreeMap::new();
        for i in 0..400 {
            cursors.insert(format!("unit:unit-{i:04}"), end as i64);
        }
        let page = PullResponse {
            epoch: 1,
            reset: false,
            changes,
            cursors,
            removed_scopes: Vec::new(),
            has_more: end < TOTAL,
        };
        pages.push(serde_json::to_vec(&page).unwrap_or_default());
        start = end;
    }
    pages
}
