//! Applying 100,000 downstream changes into the phone's replica.
//!
//! - `sync_engine`: what the sync engine does — pages arrive as the server sends them (JSON
//!   bytes) and are parsed on one thread while `sync::pipeline::apply_stream` applies the
//!   previous one (`Store::apply_pull_page`: one transaction per page, with cursors and
//!   epoch); at the end, one WAL checkpoint.
//! - `reference_bare_rusqlite`: the physical limit — the same rows, already parsed,
//!   upserted into the same table with one prepared statement in one transaction.
//!
//! Run: `cargo bench -p lobby-core --bench apply_changes`.

mod support;

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use lobby_core::protocol::{ParcelRecord, PullResponse};
use lobby_core::store::{DatabaseKey, Store};
use lobby_core::sync::pipeline::{apply_stream, PIPELINE_DEPTH};
use lobby_core::sync::PULL_PAGE_SIZE;
use rusqlite::params;
use std::sync::Mutex;

/// As the sync engine does it: one side parses pages as they arrive, the other applies
/// them with `apply_stream` (one transaction per page), then one checkpoint.
fn engine_apply(store: Store, pages: &[Vec<u8>]) {
    let store = Mutex::new(Some(store));
    let (tx, rx) = tokio::sync::mpsc::channel(PIPELINE_DEPTH);
    std::thread::scope(|scope| {
        scope.spawn(move || {
            for bytes in pages {
                let page: PullResponse = serde_json::from_slice(bytes).expect("page parses");
                tx.blocking_send(page).expect("applier alive");
            }
        });
        let applied = apply_stream(&store, rx).expect("pages apply");
        assert_eq!(applied as usize, support::TOTAL);
    });
    store
        .lock()
        .expect("lock")
        .as_ref()
        .expect("open")
        .checkpoint()
        .expect("checkpoint");
}

fn reference_apply(store: &mut Store, rows: &[ParcelRecord]) {
    let conn = store.connection();
    conn.execute_batch("BEGIN").expect("begin");
    {
        let mut stmt = conn
            .prepare(
                "INSERT INTO parcels(id, scope, unit_id, recipient, carrier, tracking, status,
                 logged_at, picked_up_at, logged_by, handover_at, handover_method, handover_to,
                 handover_by, returned_at, returned_by, photo_id, photo_content_type,
                 photo_size, photo_sha256)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16,
                         ?17, ?18, ?19, ?20)
                 ON CONFLICT(id) DO UPDATE SET scope = excluded.scope, unit_id = excluded.unit_id,
                 recipient = excluded.recipient, carrier = excluded.carrier,
                 tracking = excluded.tracking, status = excluded.status,
                 logged_at = excluded.logged_at, picked_up_at = excluded.picked_up_at,
                 logged_by = excluded.logged_by, handover_at = excluded.handover_at,
                 handover_method = excluded.handover_method, handover_to = excluded.handover_to,
                 handover_by = excluded.handover_by, returned_at = excluded.returned_at,
                 returned_by = excluded.returned_by, photo_id = excluded.photo_id,
                 photo_content_type = excluded.photo_content_type,
                 photo_size = excluded.photo_size, photo_sha256 = excluded.photo_sha256",
            )
            .expect("prepare");
        for p in rows {
            let scope = format!("unit:{}", p.unit_id);
            let h = p.handover.as_deref();
            let r = p.returned.as_deref();
            let f = p.photo.as_deref();
            stmt.execute(params![
                p.id,
                scope,
                p.unit_id,
                p.recipient,
                p.carrier,
                p.tracking,
                p.status,
                p.logged_at,
                p.picked_up_at,
                p.logged_by,
                h.map(|h| h.at),
                h.map(|h| &h.method),
                h.map(|h| &h.to),
                h.map(|h| &h.by),
                r.map(|r| r.at),
                r.map(|r| &r.by),
                f.map(|f| &f.id),
                f.map(|f| &f.content_type),
                f.map(|f| f.size as i64),
                f.map(|f| &f.sha256)
            ])
            .expect("upsert");
        }
    }
    conn.execute_batch("COMMIT").expect("commit");
}

fn fresh_store(dir: &tempfile::TempDir, n: usize) -> Store {
    Store::open(
        &dir.path().join(format!("bench-{n}.db")),
        &DatabaseKey::generate(),
    )
    .expect("store opens")
}

fn bench(c: &mut Criterion) {
    let pages = support::pull_pages(PULL_PAGE_SIZE as usize);
    let rows: Vec<ParcelRecord> = (0..support::TOTAL).map(support::parcel).collect();
    let dir = tempfile::tempdir().expect("tempdir");
    let mut n = 0usize;

    let mut g = c.benchmark_group("apply_100k_changes");
    g.sample_size(10);
    g.throughput(Throughput::Elements(support::TOTAL as u64));
    g.bench_function("sync_engine", |b| {
        b.iter_batched(
            || {
                n += 1;
                fresh_store(&dir, n)
            },
            |store| engine_apply(store, &pages),
            BatchSize::PerIteration,
        )
    });
    g.bench_function("reference_bare_rusqlite", |b| {
        b.iter_batched(
            || {
                n += 1;
                fresh_store(&dir, n)
            },
            |mut store| reference_apply(&mut store, &rows),
            BatchSize::PerIteration,
        )
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
