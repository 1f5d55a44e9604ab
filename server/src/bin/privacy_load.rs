//! `lobby-privacy-load`: the export and the erasure of a person with a long history
//! (issue 11, "Measured"; figures in `docs/benchmarks.md`).
//!
//! ```text
//! cargo run --release -p lobby-server --bin lobby-privacy-load -- [--parcels 1000] [--invoices 200] [--meetings 50] [--changes 100000] [--exports 5]
//! ```
//!
//! It starts a development server in this process on a temporary database, imports two
//! units, onboards the owner of the first, and gives that person a history through the
//! HTTP API: `--meetings` meetings of one item each in which they vote (each item then
//! closed; before the invoices, whose arrears would bar the unit from voting),
//! `--parcels` parcels addressed to them, `--invoices` monthly invoices. The
//! change log is then filled to `--changes` entries with parcel records of a hundred
//! other units and of the person's unit (written straight into the database: what a
//! building's years of sync leave behind). None of this is measured.
//!
//! Measured: `GET /v1/me/export` from a fresh sign-in, `--exports` times (request to
//! parsed answer; median and the largest, and the document's size); then the erasure —
//! the office first transfers the person's unit to the second unit's owner (written into
//! the database: the registry change the office makes before an owner can be erased), the
//! person files an erasure request, and staff approve it: the approval's request is timed
//! (it carries the whole erasure, in one transaction). Checks: the export holds every
//! parcel, invoice and vote; after the erasure no text column of the change log or of
//! `people` holds the person's name or phone. Exit 1 when a check fails.

#[path = "support/http.rs"]
mod http;

use std::path::Path;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::{anyhow, Context};
use chrono::Utc;
use clap::Parser;
use lobby_model::protocol::admin::ParcelAdd;
use lobby_model::protocol::{
    InvoiceAdd, InvoiceLineRecord, ItemAdd, MeetingCreate, ProjectKind, PullResponse,
};
use lobby_server::{start, AdminClient, ServerConfig};
use serde_json::{json, Value};
use uuid::Uuid;

use http::{exit_code, on_temp_db, post};

const NAME: &str = "สมชาย ใจดี";
const PHONE: &str = "0812345678";

#[derive(Parser, Debug)]
struct Args {
    #[arg(long, default_value_t = 1000)]
    parcels: usize,
    #[arg(long, default_value_t = 200)]
    invoices: usize,
    #[arg(long, default_value_t = 50)]
    meetings: usize,
    /// Change-log entries in all, filler included.
    #[arg(long, default_value_t = 100_000)]
    changes: usize,
    #[arg(long, default_value_t = 5)]
    exports: usize,
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    exit_code(
        "lobby-privacy-load",
        on_temp_db("lobby-privacy-load", |db| async move {
            measure(&args, &db).await
        })
        .await,
    )
}

async fn measure(args: &Args, db_path: &Path) -> anyhow::Result<bool> {
    let server = start(ServerConfig {
        db_path: db_path.to_path_buf(),
        addr: "127.0.0.1:0".parse()?,
        dev: true,
        otp_webhook: None,
        key_file: None,
        limits: Default::default(),
    })
    .await?;
    let url = server.url.clone();
    let admin = AdminClient::new(&url, &server.staff_token.clone().unwrap_or_default());
    let http = reqwest::Client::new();

    // The person and their history.
    let set_up = Instant::now();
    let project = admin
        .create_project("อาคารทดสอบ PDPA", ProjectKind::Condominium)
        .await?
        .project_id;
    let csv = format!(
        "unit,owner_name,ownership_ratio,phone,email\n\
         P-1,{NAME},1,{PHONE},somchai@example.com\nP-2,มานี มีนา,1,0861112222,\n"
    );
    let imported = admin.import_owners(&project, csv.into_bytes()).await?;
    let unit = imported.units[0].unit_id.clone();
    let other_unit = imported.units[1].unit_id.clone();
    let token = onboard(
        &http,
        &url,
        &admin,
        &imported.units[0].onboarding_payload,
        PHONE,
    )
    .await?;
    let other = onboard(
        &http,
        &url,
        &admin,
        &imported.units[1].onboarding_payload,
        "0861112222",
    )
    .await?;

    for i in 0..args.parcels {
        admin
            .add_parcel(&ParcelAdd {
                unit_id: unit.clone(),
                recipient: if i % 2 == 0 {
                    NAME.into()
                } else {
                    "คุณสมชาย ใจดี (P-1)".into()
                },
                carrier: "Kerry Express".into(),
                tracking: Some(format!("KEX{i:09}TH")),
            })
            .await?;
    }
    // Meetings first: unpaid invoices would bar the unit from voting (s.18/1).
    for k in 0..args.meetings {
        vote_in_a_meeting(&http, &url, &admin, &project, &unit, &token, k).await?;
    }
    for i in 0..args.invoices {
        let (y, m) = (2010 + i / 12, i % 12 + 1);
        admin
            .add_invoice(&InvoiceAdd {
                unit_id: unit.clone(),
                period: format!("{y:04}-{m:02}"),
                due: format!("{y:04}-{m:02}-28"),
                lines: vec![InvoiceLineRecord {
                    description: "ค่าส่วนกลาง".into(),
                    amount_satang: 250_000,
                }],
                total_satang: None,
            })
            .await?;
    }
    let logged = fill_change_log(db_path, &unit, args.changes)?;
    eprintln!(
        "set-up: {} parcels, {} invoices, {} meetings voted in, {logged} change-log entries, in {:.1} s",
        args.parcels,
        args.invoices,
        args.meetings,
        set_up.elapsed().as_secs_f64()
    );

    // The export.
    let mut times = Vec::new();
    let mut doc = Value::Null;
    let mut size = 0;
    for _ in 0..args.exports.max(1) {
        let t = Instant::now();
        let resp = http
            .get(format!("{url}/v1/me/export"))
            .bearer_auth(&token)
            .send()
            .await?;
        let status = resp.status();
        let bytes = resp.bytes().await?;
        doc = serde_json::from_slice(&bytes)?;
        times.push(t.elapsed());
        size = bytes.len();
        if !status.is_success() {
            return Err(anyhow!("export: {status} {doc}"));
        }
    }
    times.sort();
    let n = |s: &str| doc["server"][s].as_array().map_or(0, Vec::len);
    println!(
        "export: median {:.1} ms, largest {:.1} ms over {} runs; {} bytes ({:.1} MB); parcels {}, invoices {}, votes {}",
        ms(times[times.len() / 2]),
        ms(times[times.len() - 1]),
        times.len(),
        size,
        size as f64 / 1e6,
        n("parcels"),
        n("invoices"),
        n("votes"),
    );
    let mut ok = n("parcels") == args.parcels
        && n("invoices") == args.invoices
        && n("votes") == args.meetings;

    // The erasure: the office transfers the unit first, then approves the request.
    {
        let c = rusqlite::Connection::open(db_path)?;
        c.busy_timeout(Duration::from_secs(5))?;
        c.execute(
            "UPDATE units SET owner_person_id = (SELECT owner_person_id FROM units WHERE id = ?2) WHERE id = ?1",
            [&unit, &other_unit],
        )?;
    }
    let request_id = Uuid::now_v7();
    let filed = post(
        &http,
        &format!("{url}/v1/sync/push"),
        Some(&token),
        &json!({"mutations": [{"id": Uuid::now_v7(), "created_at": Utc::now(),
                "mutation": {"privacy_request_file": {"request_id": request_id, "kind": "erasure"}}}]}),
    )
    .await?;
    if filed["results"][0]["outcome"]["status"] != "applied" {
        return Err(anyhow!("the erasure request was not filed: {filed}"));
    }
    let t = Instant::now();
    let decided = admin
        .decide_privacy_request(&request_id.to_string(), true, None)
        .await?;
    let took = t.elapsed();
    let report = decided
        .erasure
        .ok_or_else(|| anyhow!("no erasure report"))?;
    let rows: u64 = report.tables.iter().map(|t| t.rows).sum();
    println!(
        "erasure: {:.1} ms ({} rows in {} tables, {} change-log entries rewritten, on a log of {logged})",
        ms(took),
        rows,
        report.tables.len(),
        report.change_log_entries
    );

    // Nothing names the person any more; the neighbour still syncs.
    let c = rusqlite::Connection::open(db_path)?;
    let left: i64 = c.query_row(
        "SELECT (SELECT COUNT(*) FROM changes WHERE record LIKE ?1 OR record LIKE ?2)
              + (SELECT COUNT(*) FROM people WHERE legal_name = ?3)
              + (SELECT COUNT(*) FROM parcels WHERE recipient LIKE ?1)",
        rusqlite::params![format!("%{NAME}%"), "%+66812345678%", NAME],
        |r| r.get(0),
    )?;
    if left != 0 {
        eprintln!("{left} rows still name the person");
        ok = false;
    }
    let pulled: PullResponse = serde_json::from_value(
        post(
            &http,
            &format!("{url}/v1/sync/pull"),
            Some(&other),
            &json!({"cursors": {}}),
        )
        .await?,
    )?;
    if pulled.changes.is_empty() {
        eprintln!("the neighbour pulled nothing");
        ok = false;
    }
    server.shutdown().await?;
    Ok(ok)
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

async fn onboard(
    http: &reqwest::Client,
    url: &str,
    admin: &AdminClient,
    payload: &str,
    phone: &str,
) -> anyhow::Result<String> {
    let grant = http::onboard(http, url, admin, payload, phone).await?;
    Ok(http::access_token(&grant)?.to_string())
}

/// A meeting of one item, opened; the person votes; the item is closed.
async fn vote_in_a_meeting(
    http: &reqwest::Client,
    url: &str,
    admin: &AdminClient,
    project: &str,
    unit: &str,
    token: &str,
    k: usize,
) -> anyhow::Result<()> {
    let meeting_id = admin
        .create_meeting(&MeetingCreate {
            project_id: project.to_string(),
            title: format!("ประชุมครั้งที่ {}", k + 1),
            kind: "extraordinary".into(),
            reconvened: false,
        })
        .await?
        .meeting_id;
    let item = admin
        .add_item(
            &meeting_id,
            &ItemAdd {
                title: "วาระที่ 1".into(),
                resolution: "majority_of_attendees".into(),
            },
        )
        .await?
        .item_id;
    admin.meeting_action(&meeting_id, "open").await?;
    admin.open_item(&item).await?;
    let out = post(
        http,
        &format!("{url}/v1/sync/push"),
        Some(token),
        &json!({"mutations": [{"id": Uuid::now_v7(), "created_at": Utc::now(),
                "mutation": {"vote": {"item_id": item, "unit_id": unit, "choice": "approve"}}}]}),
    )
    .await?;
    if out["results"][0]["outcome"]["status"] != "applied" {
        return Err(anyhow!("vote not applied: {out}"));
    }
    admin.close_item(&item).await?;
    Ok(())
}

/// Fills the change log to `total` entries with parcel records: one in ten in the
/// person's unit, the rest spread over a hundred other units. How many entries it holds.
fn fill_change_log(db_path: &Path, unit: &str, total: usize) -> anyhow::Result<i64> {
    let mut c = rusqlite::Connection::open(db_path)?;
    c.busy_timeout(Duration::from_secs(5))?;
    let tx = c.transaction()?;
    let have: i64 = tx.query_row("SELECT COUNT(*) FROM changes", [], |r| r.get(0))?;
    let (scope, sample): (String, String) = tx
        .query_row(
            "SELECT scope, record FROM changes WHERE record LIKE '{\"parcel\"%' LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .context("a parcel record to copy")?;
    let mut record: Value = serde_json::from_str(&sample)?;
    let now = Utc::now().timestamp_millis();
    {
        let mut insert =
            tx.prepare("INSERT INTO changes (scope, record, created_at) VALUES (?1, ?2, ?3)")?;
        for i in have.max(0) as usize..total {
            let s = if i % 10 == 0 {
                scope.clone()
            } else {
                scope.replace(unit, &format!("filler-unit-{}", i % 100))
            };
            record["parcel"]["id"] = json!(format!("filler-{i}"));
            record["parcel"]["recipient"] = json!(format!("ผู้รับ หมายเลข {i}"));
            insert.execute(rusqlite::params![s, record.to_string(), now])?;
        }
    }
    tx.commit()?;
    Ok(c.query_row("SELECT COUNT(*) FROM changes", [], |r| r.get(0))?)
}
