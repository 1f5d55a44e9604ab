//! Issue 10's measurements on the phone's side:
//!
//! - `unread_count_10000`: one unit's unread count with 10,000 announcements in the
//!   (encrypted, on-disk) replica — 6,000 for the whole project, 2,000 for this unit,
//!   2,000 for another unit; a fifth of them acknowledge-kind; 2,500 already opened; the
//!   list left once half way. Goal ≤ 1 ms.
//! - `shrink_12mp_slip`: `shrink_slip` of a 4000 × 3000 JPEG of noise (the worst case)
//!   to the 1600 px slip that is sent; `shrink_12mp_slip_photo`, of a photographed
//!   printed slip. Goal ≤ 300 ms. (Peak memory: `cargo run --release -p lobby-core
//!   --example shrink_slip` under `/usr/bin/time -v`, see docs/benchmarks.md.)
//!
//! Run: `cargo bench -p lobby-core --bench money`.

use std::collections::BTreeMap;
use std::io::Cursor;

use chrono::{DateTime, Duration, Utc};
use criterion::{criterion_group, criterion_main, Criterion};
use lobby_core::domain::weight::Weight;
use lobby_core::protocol::{
    AnnouncementRecord, Change, MembershipRecord, ProjectKind, ProjectRecord, PullResponse, Record,
    Role, UnitRecord,
};
use lobby_core::store::{DatabaseKey, Store};

const UNIT: &str = "unit-0001";
const OTHER: &str = "unit-0002";
const PROJECT: &str = "project-1";

fn page() -> PullResponse {
    let t0 = DateTime::<Utc>::from_timestamp(1_795_000_000, 0).unwrap_or_default();
    let mut changes = vec![
        Record::Project(ProjectRecord {
            id: PROJECT.into(),
            name: "เดอะ ล็อบบี้".into(),
            kind: ProjectKind::Condominium,
        }),
        Record::Unit(UnitRecord {
            id: UNIT.into(),
            project_id: PROJECT.into(),
            number: "12/345".into(),
            ownership_ratio: Weight::whole(1),
            arrears_months: 0,
        }),
        Record::Membership(MembershipRecord {
            id: "m-1".into(),
            unit_id: UNIT.into(),
            project_id: PROJECT.into(),
            role: Role::Owner,
        }),
    ];
    for i in 0..10_000usize {
        let (unit_id, id) = match i % 5 {
            0..=2 => (None, format!("a-{i:05}")),
            3 => (Some(UNIT.to_string()), format!("a-{i:05}/{UNIT}")),
            _ => (Some(OTHER.to_string()), format!("a-{i:05}/{OTHER}")),
        };
        changes.push(Record::Announcement(AnnouncementRecord {
            id,
            announcement_id: format!("a-{i:05}"),
            project_id: PROJECT.into(),
            unit_id,
            title: format!("ประกาศที่ {i}: งดจ่ายน้ำวันอังคาร"),
            body: "เรียนท่านเจ้าของร่วม\nจะงดจ่ายน้ำวันอังคาร 09:00–12:00".repeat(4),
            kind: if i % 5 == 1 { "acknowledge" } else { "general" }.into(),
            posted_at: t0 + Duration::minutes(i as i64),
            expires_at: None,
            attachment: None,
        }));
    }
    PullResponse {
        epoch: 1,
        reset: false,
        changes: changes
            .into_iter()
            .enumerate()
            .map(|(i, record)| Change {
                seq: i as i64 + 1,
                scope: "project:project-1".into(),
                record,
            })
            .collect(),
        cursors: BTreeMap::new(),
        removed_scopes: Vec::new(),
        has_more: false,
    }
}

fn replica(dir: &std::path::Path, page: &PullResponse) -> Store {
    let key = DatabaseKey::generate();
    let mut store = Store::open(&dir.join("lobby.db"), &key).expect("store");
    let t0 = DateTime::<Utc>::from_timestamp(1_795_000_000, 0).unwrap_or_default();
    store.apply_pull_page(page).expect("applied");
    for i in (0..10_000usize).step_by(4) {
        store
            .announcement_opened(&format!("a-{i:05}"), UNIT, t0 + Duration::days(30))
            .expect("opened");
    }
    store
        .announcement_list_left(UNIT, t0 + Duration::minutes(5_000))
        .expect("left");
    store
}

/// The worst case: 4000 × 3000 of high-frequency noise at the encoder's default quality
/// (13 MB — a real photo's is 3–6 MB), so decoding has the most to do.
fn noise_jpeg() -> Vec<u8> {
    let img = image::RgbImage::from_fn(4000, 3000, |x, y| {
        let v = ((x * 7 + y * 13) ^ (x * y)) as u8;
        image::Rgb([v, v.wrapping_mul(3), 200])
    });
    let mut out = Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Jpeg)
        .expect("encoded");
    out.into_inner()
}

/// What is usually photographed: a printed slip — light paper, lines of dark text,
/// sensor noise — 4000 × 3000 at quality 92, as a phone camera saves it (2.8 MB).
fn slip_photo_jpeg() -> Vec<u8> {
    let img = image::RgbImage::from_fn(4000, 3000, |x, y| {
        let noise = ((x.wrapping_mul(2_654_435_761) ^ y.wrapping_mul(40_503)) >> 13) as u8 % 12;
        let ink = (y / 40) % 3 == 0 && (x / 9) % 5 != 0 && (y % 40) < 22;
        let v = if ink { 40 } else { 235 } - noise;
        image::Rgb([v, v, v.saturating_sub(8)])
    });
    let mut out = Cursor::new(Vec::new());
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 92)
        .encode_image(&img)
        .expect("encoded");
    out.into_inner()
}

fn bench(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("tempdir");
    let page = page();
    let store = replica(dir.path(), &page);
    let now = Utc::now();
    let n = store.unread_count(UNIT, now).expect("count");
    assert!(n > 0 && n < 8_000, "{n}");
    c.bench_function("unread_count_10000", |b| {
        b.iter(|| store.unread_count(UNIT, now).expect("count"))
    });
    // What keeping the count costs: leaving the list recomputes the unit's unread rows.
    let mut minute = 10_000;
    c.bench_function("announcements/list_left_10000", |b| {
        b.iter(|| {
            minute += 1;
            let t =
                DateTime::<Utc>::from_timestamp(1_795_000_000 + minute * 60, 0).unwrap_or_default();
            store.announcement_list_left(UNIT, t).expect("left")
        })
    });
    // ... and a first sync of 10,000 announcements, one page, into an empty replica.
    let mut g = c.benchmark_group("announcements");
    g.sample_size(10);
    g.bench_function("apply_10000", |b| {
        b.iter_batched(
            || {
                let dir = tempfile::tempdir().expect("tempdir");
                let store = Store::open(&dir.path().join("lobby.db"), &DatabaseKey::generate())
                    .expect("store");
                (dir, store)
            },
            |(dir, mut store)| {
                store.apply_pull_page(&page).expect("applied");
                (dir, store)
            },
            criterion::BatchSize::PerIteration,
        )
    });
    g.finish();

    let mut g = c.benchmark_group("slip");
    g.sample_size(10);
    let photo = noise_jpeg();
    g.bench_function("shrink_12mp_slip", |b| {
        b.iter(|| lobby_core::invoices::shrink_slip(&photo).expect("shrunk"))
    });
    let photo = slip_photo_jpeg();
    g.bench_function("shrink_12mp_slip_photo", |b| {
        b.iter(|| lobby_core::invoices::shrink_slip(&photo).expect("shrunk"))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
