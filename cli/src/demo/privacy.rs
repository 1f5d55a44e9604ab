//! The demo's privacy steps (issue 11): the platform brings its terms, privacy policy and
//! marketing notice into force before the owner onboards ([`publish`]), so the owner
//! agrees to the first two with the registration itself (the demo's step 6); after the
//! first sync the phone asks only about marketing, which the owner refuses; a new
//! privacy policy asks again. Then
//! the owner files an objection and an erasure request; the office lists them by
//! deadline, approves one and rejects the other with its reason. The owner exports
//! everything held about them. A tenant who moves out asks for erasure: the office
//! approves, the tenant's phone wipes at its next contact and the owner's phone no
//! longer holds her name. The office runs retention, and reads its audit log.

use lobby_core::domain::consent::ConsentKind;
use lobby_core::domain::privacy_request::{RequestKind, RequestStatus};
use std::path::Path;
use std::sync::Arc;

use lobby_core::protocol::Role;
use lobby_core::secrets::MemorySecretStore;
use lobby_core::{Lobby, LobbyConfig, Result};
use lobby_server::AdminClient;
use serde_json::{json, Value};

use super::{fail, Tour};

/// The tenant who moves out and asks to be erased.
const LEAVING_PHONE: &str = "086-555-0202";
const LEAVING_NAME: &str = "ชไมพร ย้ายออก";

/// The documents in force when the owner onboards.
pub(super) const POLICIES: [(&str, &str); 3] = [
    ("terms", "2026-11"),
    ("privacy", "2026-11"),
    ("marketing", "1"),
];

/// The platform brings [`POLICIES`] into force (before any owner onboards).
pub(super) async fn publish(tour: &mut Tour, admin: &AdminClient) -> Result<()> {
    for (kind, version) in POLICIES {
        admin.publish_policy(kind, version).await?;
    }
    let listed: Vec<String> = POLICIES.iter().map(|(k, v)| format!("{k} {v}")).collect();
    tour.step(
        "The platform brings its terms, privacy policy and marketing notice into force",
        format!(
            "{}: every onboarding preview lists them, to be answered with the registration",
            listed.join(", ")
        ),
        json!({"policies": POLICIES.iter().map(|(k, v)| json!({"kind": k, "version": v})).collect::<Vec<_>>()}),
    );
    Ok(())
}

pub(super) async fn run(
    tour: &mut Tour,
    admin: &AdminClient,
    project_id: &str,
    owner: &Lobby,
    server_url: &str,
    dir: &Path,
) -> Result<()> {
    // Terms and privacy policy were agreed at onboarding: only marketing is asked.
    owner.sync().await?;
    let asked = owner.consents().to_ask()?;
    owner.consents().withdraw(ConsentKind::Marketing, None)?;
    owner.sync().await?;
    let after = owner.consents().to_ask()?;
    admin.publish_policy("privacy", "2027-01").await?;
    owner.sync().await?;
    let again = owner.consents().to_ask()?;
    if asked != [ConsentKind::Marketing] || !after.is_empty() || again != [ConsentKind::Privacy] {
        return Err(fail("consents were not asked as the rule says"));
    }
    owner.consents().give(ConsentKind::Privacy, None)?;
    owner.sync().await?;
    let kinds = |k: &[ConsentKind]| k.iter().map(|k| k.as_str()).collect::<Vec<_>>();
    tour.step(
        "Consents: terms, privacy policy and marketing, each recorded with its version",
        format!(
            "agreed at onboarding: the terms and the privacy policy (2026-11), so after the first sync the phone asked only: {}; the owner refused marketing — recorded, with the time.\nA new privacy policy (2027-01) came into force: asked again about {}, agreed",
            kinds(&asked).join(", "),
            kinds(&again).join(", ")
        ),
        json!({"asked": kinds(&asked), "asked_again": kinds(&again)}),
    );

    let objection = owner.privacy().file_request(
        RequestKind::Objection,
        Some("ไม่ประสงค์ให้นำเบอร์โทรไปใช้เพื่อการตลาด"),
    )?;
    let erasure = owner.privacy().file_request(RequestKind::Erasure, None)?;
    owner.sync().await?;
    let open = admin.privacy_requests(project_id).await?.requests;
    admin
        .decide_privacy_request(&objection.request_id, true, None)
        .await?;
    let reason = "ท่านยังเป็นเจ้าของห้อง 12/345: ข้อมูลการเป็นเจ้าของต้องเก็บไว้ตามกฎหมาย";
    admin
        .decide_privacy_request(&erasure.request_id, false, Some(reason))
        .await?;
    owner.sync().await?;
    let answered = owner.privacy().requests()?;
    let status_of = |id: &str| {
        answered
            .iter()
            .find(|r| r.request_id == id)
            .map(|r| r.status)
    };
    if open.len() != 2
        || status_of(&objection.request_id) != Some(RequestStatus::Approved)
        || status_of(&erasure.request_id) != Some(RequestStatus::Rejected)
    {
        return Err(fail(
            "the privacy requests were not answered as staff decided",
        ));
    }
    tour.step(
        "Privacy requests: an objection and an erasure, answered within the deadline",
        format!(
            "the owner filed an objection and an erasure request (due by {}); the office saw {} open, soonest deadline first.\nObjection approved; erasure rejected with its reason (\"{reason}\"); both answers synced to the phone",
            erasure.deadline.format("%Y-%m-%d"),
            open.len()
        ),
        json!({"open_for_staff": open.len(), "objection": "approved", "erasure": "rejected"}),
    );
    export(tour, owner).await?;
    erase_a_tenant(tour, admin, owner, server_url, dir).await?;
    let run = admin.run_retention().await?;
    let removed: Vec<String> = run
        .removed
        .iter()
        .filter(|r| r.count > 0)
        .map(|r| format!("{} {}", r.count, r.category))
        .collect();
    tour.step(
        "Retention: the office deletes what is past its period",
        format!(
            "{} categories checked (one-time codes, sign-ins, onboarding QRs, uploads, departed accounts, …); removed: {} — the janitor does this every minute and logs counts only",
            run.removed.len(),
            if removed.is_empty() { "nothing past its period yet".to_string() } else { removed.join(", ") }
        ),
        json!({"categories": run.removed.len(), "removed": removed}),
    );
    audit(tour, admin, project_id).await
}

/// Staff read the project's audit log: every action of theirs on personal data so far
/// in the demo, chained so that a rewritten entry would show.
async fn audit(tour: &mut Tour, admin: &AdminClient, project_id: &str) -> Result<()> {
    let log = admin.audit(project_id).await?;
    if !log.verified || log.entries.is_empty() {
        return Err(fail("the audit log is empty or its chain does not hold"));
    }
    let mut actions: Vec<&str> = Vec::new();
    for entry in &log.entries {
        if !actions.contains(&entry.action.as_str()) {
            actions.push(&entry.action);
        }
    }
    let last = log.entries.last().map(|e| e.hash.as_str()).unwrap_or("");
    tour.step(
        "The audit log: every staff action on personal data, chained",
        format!(
            "{} entries (who, what, when; subjects by id only): {}.\nThe SHA-256 chain holds (head {}…): an entry changed, dropped or reordered would break it, and the store refuses edits",
            log.entries.len(),
            actions.join(", "),
            &last[..last.len().min(12)]
        ),
        json!({"entries": log.entries.len(), "actions": actions, "verified": log.verified}),
    );
    Ok(())
}

/// The owner exports everything held about them.
async fn export(tour: &mut Tour, owner: &Lobby) -> Result<()> {
    let text = owner.privacy().export().await?;
    let doc: Value = serde_json::from_str(&text).map_err(|_| fail("the export is not JSON"))?;
    let rows = |part: &str| {
        doc[part]
            .as_object()
            .map(|o| {
                o.values()
                    .filter_map(Value::as_array)
                    .map(Vec::len)
                    .sum::<usize>()
            })
            .unwrap_or(0)
    };
    let sections = doc["server"].as_object().map_or(0, |o| o.len());
    let votes = doc["server"]["votes"].as_array().map_or(0, Vec::len);
    if sections == 0 || doc["format"] != "lobby-export/1" {
        return Err(fail("the export is empty"));
    }
    tour.step(
        "Export: everything held about the owner, as one JSON document",
        format!(
            "{} bytes: {} sections from the server ({} rows: profile, units, parcels, invoices, consents, requests, sign-ins, …) and {} rows only this phone holds; schema in docs/export.md",
            text.len(),
            sections,
            rows("server"),
            rows("device")
        ),
        json!({"bytes": text.len(), "sections": sections, "server_rows": rows("server"), "device_rows": rows("device"), "votes": votes}),
    );
    Ok(())
}

/// A tenant moves out and asks for erasure; the office approves.
async fn erase_a_tenant(
    tour: &mut Tour,
    admin: &AdminClient,
    owner: &Lobby,
    server_url: &str,
    dir: &Path,
) -> Result<()> {
    let unit = owner
        .units()
        .list()?
        .last()
        .map(|u| u.unit_id.clone())
        .ok_or_else(|| fail("the owner has no unit"))?;
    let code = owner
        .invites()
        .create(Role::Tenant, Some(&unit))?
        .code
        .ok_or_else(|| fail("the invitation has no code"))?;
    owner.sync().await?;
    let tenant = Lobby::open(
        LobbyConfig {
            data_dir: dir.join("leaving-tenant-phone"),
            server_url: Some(server_url.to_string()),
            device_label: Some("Galaxy A15".to_string()),
        },
        Arc::new(MemorySecretStore::new()),
    )?;
    tenant
        .invites()
        .accept(&code, LEAVING_PHONE, Some(LEAVING_NAME))
        .await?;
    let otp = admin.peek_otp(LEAVING_PHONE).await?.code;
    tenant.auth().verify_login(&otp).await?;
    owner.sync().await?;
    let named = |l: &Lobby| -> Result<bool> {
        Ok(l.invites()
            .members(Some(&unit))?
            .iter()
            .any(|m| m.name.contains(LEAVING_NAME)))
    };
    let before = named(owner)?;
    let request = tenant.privacy().file_request(RequestKind::Erasure, None)?;
    tenant.sync().await?;
    let decided = admin
        .decide_privacy_request(&request.request_id, true, None)
        .await?;
    let report = decided
        .erasure
        .ok_or_else(|| fail("the approval erased nothing"))?;
    tenant.sync().await?;
    owner.sync().await?;
    let wiped = !tenant.auth().is_signed_in() && tenant.units().list()?.is_empty();
    let after = named(owner)?;
    if !before || after || !wiped {
        return Err(fail("the erasure did not reach both phones"));
    }
    let rows: u64 = report.tables.iter().map(|t| t.rows).sum();
    tour.step(
        "Erasure: a tenant moves out and asks to be erased; the office approves",
        format!(
            "{} rows erased or overwritten in {} tables, {} change-log copies redacted; what the law keeps stays with ids only.
The tenant's phone wiped itself at its next contact; the owner's phone no longer shows her name. (An owner's own erasure is refused still_owns_unit until the office transfers the unit.)",
            rows,
            report.tables.len(),
            report.change_log_entries
        ),
        json!({"rows": rows, "tables": report.tables.len(), "change_log_entries": report.change_log_entries, "tenant_phone_wiped": wiped}),
    );
    Ok(())
}
