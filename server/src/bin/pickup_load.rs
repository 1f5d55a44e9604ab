//! `lobby-pickup-load`: the pickup counter under load (issue 8, "Measured"; figures in
//! `docs/benchmarks.md`).
//!
//! ```text
//! cargo run --release -p lobby-server --bin lobby-pickup-load -- [--seconds 30] [--clients 50] [--units 20]
//! ```
//!
//! It starts a development server in this process on a temporary database, imports a
//! registry of `--units` units with one owner each, onboards every owner (OTP read
//! through the dev peek), registers a device key for each through `/v1/sync/push` as the
//! phone does, and logs three parcels per unit. Then `--clients` concurrent staff
//! clients — each a tokio task with its own HTTP client, hence its own keep-alive
//! connection — loop for `--seconds`: make a fresh pass for a unit (signed with that
//! owner's key, as the phone would show it), `POST /v1/admin/pickup/verify`, and check
//! the answer names that unit and lists exactly its three parcels. Every request is timed
//! from send to parsed answer. The process exits 1 when any request failed or any answer
//! listed another unit's parcels.

#[path = "support/http.rs"]
mod http;

use std::collections::HashSet;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::{anyhow, Context};
use chrono::Utc;
use clap::Parser;
use lobby_model::domain::device_key::DeviceKey;
use lobby_model::domain::pickup_pass::{make_pass, step_at, PassClaims};
use lobby_model::protocol::admin::{ParcelAdd, PickupVerified};
use lobby_model::protocol::ProjectKind;
use lobby_server::{start, AdminClient, ServerConfig};
use serde_json::json;

use http::post;
use uuid::Uuid;

#[derive(Parser)]
#[command(about = "Load test of pickup pass verification (issue 8)")]
struct Args {
    /// How long the clients verify.
    #[arg(long, default_value_t = 30)]
    seconds: u64,
    /// Concurrent staff clients, each on its own connection.
    #[arg(long, default_value_t = 50)]
    clients: usize,
    /// Units (one owner and one device key each).
    #[arg(long, default_value_t = 20)]
    units: usize,
}

/// A unit's owner as the phone holds them: who, which unit, the device key, the parcels.
#[derive(Clone)]
struct Holder {
    person_id: Uuid,
    unit_id: Uuid,
    key: DeviceKey,
    parcels: HashSet<String>,
}

#[derive(Default)]
struct Tally {
    latencies: Vec<Duration>,
    failed: u64,
    wrong: u64,
}

#[tokio::main]
async fn main() -> ExitCode {
    http::exit_code("lobby-pickup-load", run(Args::parse()).await)
}

async fn run(args: Args) -> anyhow::Result<bool> {
    if args.seconds == 0 || args.seconds > 14 * 60 || args.clients == 0 {
        return Err(anyhow!(
            "--seconds must be 1..=840 and --clients at least 1"
        ));
    }
    if args.units == 0 || args.units > 90 {
        return Err(anyhow!("--units must be 1..=90"));
    }
    http::on_temp_db("lobby-pickup-load", |db| async move {
        measure(&args, &db).await
    })
    .await
}

fn phone(i: usize) -> String {
    format!("08123456{:02}", i + 10)
}

async fn measure(args: &Args, db_path: &std::path::Path) -> anyhow::Result<bool> {
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
    let admin = AdminClient::new(&url, server.staff_token.as_deref().unwrap_or(""));
    let holders = setup(&url, &admin, args.units).await?;

    let started = Instant::now();
    let deadline = started + Duration::from_secs(args.seconds);
    let tasks: Vec<_> = (0..args.clients)
        .map(|i| {
            let (url, holders) = (url.clone(), holders.clone());
            let token = server.staff_token.clone().unwrap_or_default();
            tokio::spawn(async move { client(i, &url, &token, &holders, deadline).await })
        })
        .collect();
    let mut tally = Tally::default();
    for t in tasks {
        let t = t.await.context("client task")?;
        tally.latencies.extend(t.latencies);
        tally.failed += t.failed;
        tally.wrong += t.wrong;
    }
    let elapsed = started.elapsed();
    server.shutdown().await?;

    let n = tally.latencies.len();
    tally.latencies.sort_unstable();
    let ms = |d: Option<&Duration>| d.copied().unwrap_or_default().as_secs_f64() * 1000.0;
    let pct = |p: usize| ms(tally.latencies.get((n * p / 100).min(n.saturating_sub(1))));
    println!(
        "clients {}, units {}, {:.1} s",
        args.clients,
        args.units,
        elapsed.as_secs_f64()
    );
    println!(
        "verifications {n} = {:.0} requests/s",
        n as f64 / elapsed.as_secs_f64()
    );
    println!(
        "latency p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        pct(50),
        pct(99),
        ms(tally.latencies.last())
    );
    println!(
        "failed {}, answers naming another unit or other parcels {}",
        tally.failed, tally.wrong
    );
    Ok(tally.failed == 0 && tally.wrong == 0)
}

/// Registry, owners signed in with a registered key each, three parcels per unit.
async fn setup(url: &str, admin: &AdminClient, units: usize) -> anyhow::Result<Vec<Holder>> {
    let project = admin
        .create_project("อาคารทดสอบเคาน์เตอร์", ProjectKind::Condominium)
        .await?
        .project_id;
    let mut csv = String::from("unit,owner_name,ownership_ratio,phone,email\n");
    for i in 0..units {
        csv.push_str(&format!("P-{i:03},เจ้าของ ห้อง{i},1,{},\n", phone(i)));
    }
    let imported = admin.import_owners(&project, csv.into_bytes()).await?;
    let http = reqwest::Client::new();
    let mut holders = Vec::new();
    for (i, unit) in imported.units.iter().enumerate() {
        let grant = http::onboard(&http, url, admin, &unit.onboarding_payload, &phone(i)).await?;
        let token = http::access_token(&grant)?;
        let person_id = grant["person_id"]
            .as_str()
            .ok_or_else(|| anyhow!("no person in {grant}"))?;
        let key = DeviceKey::generate();
        let pushed = post(
            &http,
            &format!("{url}/v1/sync/push"),
            Some(token),
            &json!({"mutations": [{"id": Uuid::now_v7(), "created_at": Utc::now(),
                "mutation": {"device_key_register": {"key_id": key.key_id, "public_key": key.public_key_hex()}}}]}),
        )
        .await?;
        if pushed["results"][0]["outcome"]["status"] != "applied" {
            return Err(anyhow!("the key was not registered: {pushed}"));
        }
        let mut parcels = HashSet::new();
        for n in 0..3 {
            let added = admin
                .add_parcel(&ParcelAdd {
                    unit_id: unit.unit_id.clone(),
                    recipient: format!("ผู้รับ {n}"),
                    carrier: "ไปรษณีย์ไทย".into(),
                    tracking: None,
                })
                .await?;
            parcels.insert(added.parcel_id);
        }
        holders.push(Holder {
            person_id: Uuid::parse_str(person_id)?,
            unit_id: Uuid::parse_str(&unit.unit_id)?,
            key,
            parcels,
        });
    }
    Ok(holders)
}

async fn client(i: usize, url: &str, token: &str, holders: &[Holder], deadline: Instant) -> Tally {
    let http = reqwest::Client::new();
    let endpoint = format!("{url}/v1/admin/pickup/verify");
    let mut tally = Tally::default();
    let mut n = i;
    while Instant::now() < deadline {
        let h = &holders[n % holders.len()];
        n += 1;
        let pass = make_pass(
            &h.key.signing_key(),
            &PassClaims {
                person_id: h.person_id,
                unit_id: h.unit_id,
                key_id: h.key.key_id,
                step: step_at(Utc::now()),
            },
        );
        let t0 = Instant::now();
        let answer = post(
            &http,
            &endpoint,
            Some(token),
            &json!({"payload": pass.payload}),
        )
        .await;
        tally.latencies.push(t0.elapsed());
        match answer.and_then(|v| Ok(serde_json::from_value::<PickupVerified>(v)?)) {
            Ok(v) => {
                let listed: HashSet<String> = v.parcels.into_iter().map(|p| p.parcel_id).collect();
                if v.unit_id != h.unit_id.to_string() || listed != h.parcels {
                    tally.wrong += 1;
                }
            }
            Err(_) => tally.failed += 1,
        }
    }
    tally
}
