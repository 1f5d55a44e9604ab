//! `lobby-vote-load`: an annual meeting's votes under load (issue 9, "Measured"; figures
//! in `docs/benchmarks.md`).
//!
//! ```text
//! cargo run --release -p lobby-server --bin lobby-vote-load -- [--units 2000] [--items 10] [--clients 50] [--changes 0.2]
//! ```
//!
//! It starts a development server in this process on a temporary database, imports a
//! condominium registry of `--units` units with one owner each (varied ownership ratios,
//! in millionths, summing to exactly 100), and onboards every owner through the HTTP API
//! (OTP read through the dev peek; a dev server exempts loopback from the per-address
//! limits and every owner has a phone of their own, so no limit is reached). It creates
//! an annual meeting with `--items` agenda items, opens it and opens every item. None of
//! this is measured.
//!
//! Then the vote phase: `--clients` concurrent clients — each a tokio task with its own
//! HTTP client, hence its own keep-alive connection — work through one shared queue: every
//! unit votes on every item once (unit by unit, each through the agenda), then the
//! `--changes` fraction of the units votes again on every item with another choice (a
//! change is sent only once the unit's first vote on that item has been answered). Each
//! vote is one `POST /v1/sync/push` carrying one `vote` mutation with a fresh UUIDv7, from
//! that unit's owner's session, timed from send to parsed answer.
//!
//! Finally every item is closed, each close timed (request to answer: the closing entry,
//! the tally recomputed from the ballot log, the chain head), and each published tally is
//! checked against a hand sum of the ratios by the last applied choice of every unit, in
//! exact decimals ([`Weight`]): approve, disapprove, abstain, did not vote, attending, all
//! votes, quorum and whether it passed. The ballot log is then read from the database:
//! its chain must verify, end at the last close's head and hold exactly the applied
//! ballots. The process exits 1 when any vote was rejected or failed, or any check did
//! not hold.
//!
//! The access token lives 15 minutes: set-up and votes must fit in that.

#[path = "support/http.rs"]
mod http;

use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{anyhow, Context};
use chrono::Utc;
use clap::Parser;
use lobby_model::domain::voting::chain::{verify_chain, ChainEntry, Entry};
use lobby_model::domain::voting::resolution::ResolutionType;
use lobby_model::domain::voting::tally::{passed, Choice, Tally};
use lobby_model::protocol::{
    ItemAdd, MeetingCreate, Mutation, MutationEnvelope, MutationOutcome, ProjectKind, PushResponse,
};
use lobby_model::Weight;
use lobby_server::{start, AdminClient, ServerConfig};
use serde_json::json;

use http::post;
use uuid::Uuid;

/// Owners onboarded at once (each onboarding hashes a password with Argon2id).
const ONBOARDING_TASKS: usize = 4;
/// Most units: one phone each, `081` and seven digits.
const MAX_UNITS: usize = 20_000;
const MAX_ITEMS: usize = 100;
/// The agenda's resolutions, in turn.
const RESOLUTIONS: [ResolutionType; 3] = [
    ResolutionType::MajorityOfAttendees,
    ResolutionType::HalfOfAll,
    ResolutionType::QuarterOfAll,
];
/// The whole project's ownership ratios, in millionths (100).
const ALL_RATIOS_MICROS: i64 = 100_000_000;

#[derive(Parser)]
#[command(about = "Load test of meeting votes (issue 9)")]
struct Args {
    /// Units of the project (one owner each).
    #[arg(long, default_value_t = 2000)]
    units: usize,
    /// Agenda items, all open at once.
    #[arg(long, default_value_t = 10)]
    items: usize,
    /// Concurrent voting clients, each on its own connection.
    #[arg(long, default_value_t = 50)]
    clients: usize,
    /// Fraction of the units that change their vote on every item once, after voting.
    #[arg(long, default_value_t = 0.2)]
    changes: f64,
}

/// A unit and its owner's session.
struct Voter {
    unit_id: String,
    token: String,
    ratio: Weight,
}

/// One push in the queue: unit `unit` votes `choice` on item `item`.
#[derive(Clone, Copy)]
struct Vote {
    unit: usize,
    item: usize,
    choice: Choice,
    /// A second vote replacing the first.
    change: bool,
}

/// What the clients share.
struct Queue {
    votes: Vec<Vote>,
    next: AtomicUsize,
    /// Per `(unit, item)`: its first vote has been answered.
    first_answered: Vec<AtomicBool>,
    voters: Vec<Voter>,
    item_ids: Vec<String>,
    items: usize,
    started: Instant,
}

#[derive(Default)]
struct ClientTally {
    latencies: Vec<Duration>,
    /// `(unit, item, choice, change)` of every applied vote.
    applied: Vec<(usize, usize, Choice, bool)>,
    rejected: BTreeMap<String, u64>,
    errors: u64,
    first_error: Option<String>,
    /// When the last first vote this client sent was answered (since the start).
    firsts_done: Duration,
}

#[tokio::main]
async fn main() -> ExitCode {
    http::exit_code("lobby-vote-load", run(Args::parse()).await)
}

async fn run(args: Args) -> anyhow::Result<bool> {
    if args.units == 0 || args.units > MAX_UNITS {
        return Err(anyhow!("--units must be 1..={MAX_UNITS}"));
    }
    if args.items == 0 || args.items > MAX_ITEMS {
        return Err(anyhow!("--items must be 1..={MAX_ITEMS}"));
    }
    if args.clients == 0 {
        return Err(anyhow!("--clients must be at least 1"));
    }
    if !(0.0..=1.0).contains(&args.changes) {
        return Err(anyhow!("--changes must be a fraction from 0 to 1"));
    }
    http::on_temp_db(
        "lobby-vote-load",
        |db| async move { measure(&args, &db).await },
    )
    .await
}

/// SplitMix64: the load generator's reproducible dice.
fn mix(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE5_E9B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

fn phone(i: usize) -> String {
    format!("081{i:07}")
}

/// Ratios from floor areas of 30 to 150 m², scaled to sum to exactly 100 (the first
/// unit takes what rounding down leaves).
fn ratios(units: usize) -> Vec<Weight> {
    let areas: Vec<i64> = (0..units)
        .map(|i| 30 + (mix(i as u64) % 121) as i64)
        .collect();
    let total: i64 = areas.iter().sum();
    let mut micros: Vec<i64> = areas
        .iter()
        .map(|a| a * ALL_RATIOS_MICROS / total)
        .collect();
    micros[0] += ALL_RATIOS_MICROS - micros.iter().sum::<i64>();
    micros.into_iter().map(Weight::from_micros).collect()
}

/// A unit's first choice on an item: approval grows along the agenda, so some items
/// pass and some do not.
fn first_choice(unit: usize, item: usize) -> Choice {
    let r = mix(((unit as u64) << 20) ^ item as u64 ^ 0xA11CE) % 100;
    let approve = 25 + (item as u64 * 7) % 50;
    if r < approve {
        Choice::Approve
    } else if r < 90 {
        Choice::Disapprove
    } else {
        Choice::Abstain
    }
}

/// Another choice than `c`.
fn changed(c: Choice, unit: usize) -> Choice {
    let others = match c {
        Choice::Approve => [Choice::Disapprove, Choice::Abstain],
        Choice::Disapprove => [Choice::Approve, Choice::Abstain],
        Choice::Abstain => [Choice::Approve, Choice::Disapprove],
    };
    others[unit % 2]
}

/// The units that change their votes: `fraction` of them, picked by the dice.
fn changing_units(units: usize, fraction: f64) -> Vec<usize> {
    let n = ((units as f64) * fraction).round() as usize;
    let mut order: Vec<usize> = (0..units).collect();
    order.sort_by_key(|&u| mix(u as u64 ^ 0x00C4_A96E));
    order.truncate(n);
    order.sort_unstable();
    order
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
    let staff_token = server.staff_token.clone().unwrap_or_default();
    let admin = AdminClient::new(&url, &staff_token);

    let set_up = Instant::now();
    let ratios = ratios(args.units);
    let (project, voters) = onboard(&url, &staff_token, &admin, &ratios).await?;
    let onboarding = set_up.elapsed();
    let (meeting_id, item_ids, resolutions) = meeting(&admin, &project, args.items).await?;
    eprintln!(
        "set-up: {} owners onboarded in {:.1} s, meeting with {} open items",
        voters.len(),
        onboarding.as_secs_f64(),
        item_ids.len()
    );

    // The queue: every unit through the agenda, then the changes.
    let mut votes = Vec::with_capacity(args.units * args.items);
    for unit in 0..args.units {
        for item in 0..args.items {
            votes.push(Vote {
                unit,
                item,
                choice: first_choice(unit, item),
                change: false,
            });
        }
    }
    let changers = changing_units(args.units, args.changes);
    for &unit in &changers {
        for item in 0..args.items {
            votes.push(Vote {
                unit,
                item,
                choice: changed(first_choice(unit, item), unit),
                change: true,
            });
        }
    }
    let queue = Arc::new(Queue {
        first_answered: (0..args.units * args.items)
            .map(|_| AtomicBool::new(false))
            .collect(),
        votes,
        next: AtomicUsize::new(0),
        voters,
        item_ids,
        items: args.items,
        started: Instant::now(),
    });
    let tasks: Vec<_> = (0..args.clients)
        .map(|_| {
            let (url, queue) = (url.clone(), queue.clone());
            tokio::spawn(async move { client(&url, &queue).await })
        })
        .collect();
    let mut tally = ClientTally::default();
    for t in tasks {
        let t = t.await.context("client task")??;
        tally.latencies.extend(t.latencies);
        tally.applied.extend(t.applied);
        for (code, n) in t.rejected {
            *tally.rejected.entry(code).or_default() += n;
        }
        tally.errors += t.errors;
        tally.first_error = tally.first_error.or(t.first_error);
        tally.firsts_done = tally.firsts_done.max(t.firsts_done);
    }
    let elapsed = queue.started.elapsed();

    // The last applied choice of every (unit, item): first votes, then the changes,
    // each sent only after the first was answered.
    let mut last: Vec<Option<Choice>> = vec![None; args.units * args.items];
    tally.applied.sort_by_key(|a| a.3);
    for &(unit, item, choice, _) in &tally.applied {
        last[unit * args.items + item] = Some(choice);
    }

    let mut closes = Vec::new();
    let mut tallies_ok = true;
    let mut heads = Vec::new();
    for (item, item_id) in queue.item_ids.iter().enumerate() {
        let t0 = Instant::now();
        let closed = admin.close_item(item_id).await?;
        let took = t0.elapsed();
        closes.push(took);
        let want = expected(&queue.voters, &last, args.items, item);
        let got = published(&closed.tally)?;
        let want_passed = passed(resolutions[item], &want);
        let sums = got.approve + got.disapprove + got.abstain + got.did_not_vote == got.attending;
        let ok = got == want && closed.passed == want_passed && sums;
        tallies_ok &= ok;
        println!(
            "close item {:>2} ({:<21}) {:>7.1} ms: approve {} disapprove {} abstain {} did not vote {} \
             attending {} of {}, quorum {}, passed {} — {}",
            item + 1,
            resolutions[item].as_str(),
            took.as_secs_f64() * 1000.0,
            got.approve,
            got.disapprove,
            got.abstain,
            got.did_not_vote,
            got.attending,
            got.all_votes,
            got.quorum,
            closed.passed,
            if ok {
                "matches the hand sum".to_string()
            } else {
                format!("MISMATCH: expected {want:?}, passed {want_passed}")
            }
        );
        heads.push(closed.chain_head);
    }
    admin.meeting_action(&meeting_id, "close").await?;
    let chain = read_chain(db_path, &meeting_id)?;
    server.shutdown().await?;
    let ballots = chain
        .iter()
        .filter(|e| matches!(e.entry, Entry::Ballot(_)))
        .count();
    let head = verify_chain(&chain).map_err(|b| anyhow!("the ballot log breaks at {b:?}"));
    let chain_ok = head.as_ref().ok() == heads.last() && ballots == tally.applied.len();

    let sent = tally.latencies.len();
    let applied = tally.applied.len();
    let rejected: u64 = tally.rejected.values().sum();
    tally.latencies.sort_unstable();
    let ms = |d: Option<&Duration>| d.copied().unwrap_or_default().as_secs_f64() * 1000.0;
    let pct = |p: usize| {
        ms(tally
            .latencies
            .get((sent * p / 100).min(sent.saturating_sub(1))))
    };
    closes.sort_unstable();
    let secs = elapsed.as_secs_f64();
    let firsts = args.units * args.items;
    println!(
        "units {}, items {}, clients {}, changing units {} ({:.0} %)",
        args.units,
        args.items,
        args.clients,
        changers.len(),
        args.changes * 100.0
    );
    println!(
        "votes sent        {sent} ({firsts} first votes + {} changes)",
        sent - firsts.min(sent)
    );
    println!("applied           {applied}");
    println!(
        "rejected          {rejected}{}",
        if tally.rejected.is_empty() {
            String::new()
        } else {
            format!(" {:?}", tally.rejected)
        }
    );
    println!(
        "errors            {}{}",
        tally.errors,
        tally
            .first_error
            .as_deref()
            .map(|e| format!(" (first: {e})"))
            .unwrap_or_default()
    );
    println!(
        "vote phase        {secs:.1} s (first votes all answered at {:.1} s)",
        tally.firsts_done.as_secs_f64()
    );
    println!("accepted votes/s  {:.0}", applied as f64 / secs);
    println!(
        "latency           p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        pct(50),
        pct(99),
        ms(tally.latencies.last())
    );
    println!(
        "close an item     min {:.1} ms, median {:.1} ms, max {:.1} ms",
        ms(closes.first()),
        ms(closes.get(closes.len() / 2)),
        ms(closes.last())
    );
    println!(
        "{} units × {} items within one minute: {} (first votes {:.1} s, with the changes {secs:.1} s)",
        args.units,
        args.items,
        if tally.firsts_done.as_secs_f64() <= 60.0 {
            "yes"
        } else {
            "NO"
        },
        tally.firsts_done.as_secs_f64()
    );
    println!(
        "ballot log        {} entries, {} ballots, chain {}",
        chain.len(),
        ballots,
        match &head {
            Ok(h) if Some(h) == heads.last() => "verifies and ends at the last close's head".into(),
            Ok(h) => format!("verifies but ends at {h}, not the last close's head"),
            Err(e) => format!("BROKEN: {e}"),
        }
    );
    let ok = tally.errors == 0 && rejected == 0 && tallies_ok && chain_ok;
    if !ok {
        eprintln!(
            "FAILED: votes were rejected or failed, or a tally or the ballot log did not match"
        );
    }
    Ok(ok)
}

/// Project, registry, every owner onboarded: the project's id and the voters in registry
/// order.
async fn onboard(
    url: &str,
    staff_token: &str,
    admin: &AdminClient,
    ratios: &[Weight],
) -> anyhow::Result<(String, Vec<Voter>)> {
    let project = admin
        .create_project("อาคารทดสอบการประชุมใหญ่", ProjectKind::Condominium)
        .await?
        .project_id;
    let mut csv = String::from("unit,owner_name,ownership_ratio,phone,email\n");
    for (i, ratio) in ratios.iter().enumerate() {
        csv.push_str(&format!("V-{i:05},เจ้าของ ห้อง{i},{ratio},{},\n", phone(i)));
    }
    let imported = admin.import_owners(&project, csv.into_bytes()).await?;
    let by_number: HashMap<&str, usize> = imported
        .units
        .iter()
        .enumerate()
        .map(|(k, u)| (u.unit.as_str(), k))
        .collect();
    // (registry row, onboarding payload), in registry order.
    let mut rows = Vec::with_capacity(ratios.len());
    for i in 0..ratios.len() {
        let k = by_number
            .get(format!("V-{i:05}").as_str())
            .copied()
            .ok_or_else(|| anyhow!("unit V-{i:05} was not imported"))?;
        rows.push((
            imported.units[k].unit_id.clone(),
            imported.units[k].onboarding_payload.clone(),
        ));
    }
    let rows = Arc::new(rows);
    let next = Arc::new(AtomicUsize::new(0));
    let tasks: Vec<_> = (0..ONBOARDING_TASKS)
        .map(|_| {
            let (url, rows, next) = (url.to_string(), rows.clone(), next.clone());
            let admin = AdminClient::new(&url, staff_token);
            tokio::spawn(async move {
                let http = reqwest::Client::new();
                let mut tokens = Vec::new();
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some((_, payload)) = rows.get(i) else {
                        break;
                    };
                    tokens.push((i, session(&http, &url, &admin, payload, &phone(i)).await?));
                }
                anyhow::Ok(tokens)
            })
        })
        .collect();
    let mut tokens: Vec<Option<String>> = vec![None; ratios.len()];
    for t in tasks {
        for (i, token) in t.await.context("onboarding task")?? {
            tokens[i] = Some(token);
        }
    }
    let voters = rows
        .iter()
        .zip(tokens)
        .zip(ratios)
        .map(|(((unit_id, _), token), ratio)| {
            Ok(Voter {
                unit_id: unit_id.clone(),
                token: token.ok_or_else(|| anyhow!("an owner was not onboarded"))?,
                ratio: *ratio,
            })
        })
        .collect::<anyhow::Result<_>>()?;
    Ok((project, voters))
}

/// One owner's onboarding: the access token.
async fn session(
    http: &reqwest::Client,
    url: &str,
    admin: &AdminClient,
    payload: &str,
    phone: &str,
) -> anyhow::Result<String> {
    let grant = http::onboard(http, url, admin, payload, phone).await?;
    Ok(http::access_token(&grant)?.to_string())
}

/// An annual meeting with `items` items, opened, every item open: its id, the items'
/// ids and resolutions.
async fn meeting(
    admin: &AdminClient,
    project: &str,
    items: usize,
) -> anyhow::Result<(String, Vec<String>, Vec<ResolutionType>)> {
    let meeting_id = admin
        .create_meeting(&MeetingCreate {
            project_id: project.to_string(),
            title: "ประชุมใหญ่สามัญประจำปี 2569".into(),
            kind: "annual".into(),
            reconvened: false,
        })
        .await?
        .meeting_id;
    let mut ids = Vec::new();
    let mut resolutions = Vec::new();
    for k in 0..items {
        let resolution = RESOLUTIONS[k % RESOLUTIONS.len()];
        let added = admin
            .add_item(
                &meeting_id,
                &ItemAdd {
                    title: format!("วาระที่ {}", k + 1),
                    resolution: resolution.as_str().into(),
                },
            )
            .await?;
        ids.push(added.item_id);
        resolutions.push(resolution);
    }
    admin.meeting_action(&meeting_id, "open").await?;
    for id in &ids {
        admin.open_item(id).await?;
    }
    Ok((meeting_id, ids, resolutions))
}

async fn client(base: &str, queue: &Queue) -> anyhow::Result<ClientTally> {
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(1)
        .build()?;
    let url = format!("{base}/v1/sync/push");
    let mut tally = ClientTally::default();
    loop {
        let n = queue.next.fetch_add(1, Ordering::Relaxed);
        let Some(&vote) = queue.votes.get(n) else {
            break;
        };
        let pair = vote.unit * queue.items + vote.item;
        if vote.change {
            while !queue.first_answered[pair].load(Ordering::Acquire) {
                tokio::time::sleep(Duration::from_millis(1)).await;
            }
        }
        let voter = &queue.voters[vote.unit];
        let envelope = MutationEnvelope {
            id: Uuid::now_v7(),
            created_at: Utc::now(),
            mutation: Mutation::Vote {
                item_id: queue.item_ids[vote.item].clone(),
                unit_id: voter.unit_id.clone(),
                choice: vote.choice.as_str().into(),
            },
        };
        let body = json!({ "mutations": [envelope] });
        let t0 = Instant::now();
        let answer = post(&http, &url, Some(&voter.token), &body).await;
        let outcome = answer.and_then(|v| {
            serde_json::from_value::<PushResponse>(v)?
                .results
                .into_iter()
                .next()
                .map(|r| r.outcome)
                .ok_or_else(|| anyhow!("a push answer without a result"))
        });
        tally.latencies.push(t0.elapsed());
        match outcome {
            Ok(MutationOutcome::Applied) => {
                tally
                    .applied
                    .push((vote.unit, vote.item, vote.choice, vote.change))
            }
            Ok(MutationOutcome::Rejected { code, .. }) => {
                *tally.rejected.entry(code).or_default() += 1;
            }
            Err(e) => {
                tally.errors += 1;
                tally.first_error.get_or_insert_with(|| format!("{e:#}"));
            }
        }
        if !vote.change {
            queue.first_answered[pair].store(true, Ordering::Release);
            tally.firsts_done = queue.started.elapsed();
        }
    }
    Ok(tally)
}

/// The item's tally by hand: each unit's ratio (no owner holds more than half, so no
/// s.45 cap) under its last applied choice; every unit that voted on any item attends.
fn expected(voters: &[Voter], last: &[Option<Choice>], items: usize, item: usize) -> Tally {
    let mut t = Tally::default();
    for (unit, v) in voters.iter().enumerate() {
        t.all_votes = t.all_votes + v.ratio;
        let mine = &last[unit * items..(unit + 1) * items];
        if mine.iter().all(Option::is_none) {
            continue;
        }
        t.attending = t.attending + v.ratio;
        let bucket = match mine[item] {
            Some(Choice::Approve) => &mut t.approve,
            Some(Choice::Disapprove) => &mut t.disapprove,
            Some(Choice::Abstain) => &mut t.abstain,
            None => &mut t.did_not_vote,
        };
        *bucket = *bucket + v.ratio;
    }
    t.quorum = t.attending.at_least(t.all_votes, 1, 4);
    t
}

/// The close's `tally` object read back.
fn published(tally: &serde_json::Value) -> anyhow::Result<Tally> {
    let w = |k: &str| -> anyhow::Result<Weight> {
        let s = tally[k]
            .as_str()
            .ok_or_else(|| anyhow!("no {k} in the tally {tally}"))?;
        Ok(Weight::parse(s)?)
    };
    Ok(Tally {
        approve: w("approve")?,
        disapprove: w("disapprove")?,
        abstain: w("abstain")?,
        did_not_vote: w("did_not_vote")?,
        attending: w("attending")?,
        all_votes: w("all_votes")?,
        quorum: tally["quorum"]
            .as_bool()
            .ok_or_else(|| anyhow!("no quorum in the tally {tally}"))?,
    })
}

/// The meeting's ballot log as stored.
fn read_chain(path: &Path, meeting_id: &str) -> anyhow::Result<Vec<ChainEntry>> {
    let conn =
        rusqlite::Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    conn.busy_timeout(Duration::from_secs(5))?;
    let mut stmt = conn.prepare(
        "SELECT seq, prev, entry, hash FROM ballot_log WHERE meeting_id = ?1 ORDER BY seq",
    )?;
    let rows = stmt.query_map([meeting_id], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, String>(3)?,
        ))
    })?;
    let mut chain = Vec::new();
    for row in rows {
        let (seq, prev, entry, hash) = row?;
        chain.push(ChainEntry {
            seq: u64::try_from(seq)?,
            prev,
            entry: serde_json::from_str(&entry)?,
            hash,
        });
    }
    Ok(chain)
}
