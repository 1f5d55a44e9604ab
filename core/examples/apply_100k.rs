//! One sync-engine apply of 100,000 downstream changes, reporting the rate and the
//! process's peak memory (for docs/benchmarks.md).
//!
//! Run: `cargo run --release -p lobby-core --example apply_100k`.

#[path = "../benches/support/mod.rs"]
mod support;

use std::time::Instant;

use lobby_core::protocol::PullResponse;
use lobby_core::store::{DatabaseKey, Store};
use lobby_core::sync::pipeline::{apply_stream, PIPELINE_DEPTH};
use lobby_core::sync::PULL_PAGE_SIZE;

fn peak_rss_kib() -> i64 {
    // SAFETY: getrusage writes into the zeroed struct we pass.
    unsafe {
        let mut usage: libc::rusage = std::mem::zeroed();
        libc::getrusage(libc::RUSAGE_SELF, &mut usage);
        usage.ru_maxrss
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let page_size = std::env::var("PAGE_SIZE")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(PULL_PAGE_SIZE as usize);
    let pages = support::pull_pages(page_size);
    let bytes: usize = pages.iter().map(Vec::len).sum();
    let before = peak_rss_kib();
    let dir = tempfile::tempdir()?;
    let store = Store::open(&dir.path().join("apply.db"), &DatabaseKey::generate())?;
    let store = std::sync::Mutex::new(Some(store));
    let start = Instant::now();
    let (tx, rx) = tokio::sync::mpsc::channel(PIPELINE_DEPTH);
    std::thread::scope(|scope| -> Result<(), Box<dyn std::error::Error>> {
        let pages = &pages;
        scope.spawn(move || {
            for bytes in pages {
                match serde_json::from_slice::<PullResponse>(bytes) {
                    Ok(page) => {
                        if tx.blocking_send(page).is_err() {
                            return;
                        }
                    }
                    Err(e) => {
                        eprintln!("page does not parse: {e}");
                        return;
                    }
                }
            }
        });
        apply_stream(&store, rx)?;
        Ok(())
    })?;
    // The sync engine checkpoints once when a pull ends.
    store
        .lock()
        .map_err(|_| "lock")?
        .as_ref()
        .ok_or("closed")?
        .checkpoint()?;
    let secs = start.elapsed().as_secs_f64();
    println!(
        "applied {} changes ({} pages, {:.1} MB of JSON) in {:.3} s = {:.0} changes/s; peak RSS {} MiB (before apply {} MiB)",
        support::TOTAL,
        pages.len(),
        bytes as f64 / 1e6,
        secs,
        support::TOTAL as f64 / secs,
        peak_rss_kib() / 1024,
        before / 1024
    );
    Ok(())
}
