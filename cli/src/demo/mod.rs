//! `lobby demo`: the whole journey, against an embedded server on a temporary SQLite.
//!
//! It is the product's living tour: every capability adds its steps here. Without `--json`
//! each step is printed as it happens; with `--json` one document `{"steps": [...]}`.
//! A step that does not behave as the product promises fails the demo (exit 1).

use std::net::SocketAddr;
use std::sync::Arc;

use lobby_core::domain::consent::ConsentKind;
use lobby_core::domain::invites::{format_invite_code, invite_qr_payload};
use lobby_core::protocol::{ProjectKind, Role};
use lobby_core::secrets::{MemorySecretStore, SecretStore};
use lobby_core::{ErrorCode, Lobby, LobbyConfig, LobbyError, Result};
use lobby_server::{AdminClient, RunningServer, ServerConfig};
use serde_json::{json, Value};

use crate::output::Reply;

mod announcements;
mod contact;
mod invoices;
mod meetings;
mod privacy;
mod sessions;

const REGISTRY: &str = include_str!("../../../fixtures/registry/demo.csv");
const OWNER_PHONE: &str = "081-234-5678";
const OWNER_PASSWORD: &str = "Lumpini2026!";
/// How the owner's phone names itself in the list of signed-in devices.
const OWNER_DEVICE: &str = "Pixel 8 · Android 15";
const TENANT_PHONE: &str = "086-555-0101";

struct Tour {
    json: bool,
    steps: Vec<Value>,
}

impl Tour {
    fn step(&mut self, title: &str, said: String, detail: Value) {
        let n = self.steps.len() + 1;
        if !self.json {
            println!("{n:>2}. {title}\n    {}", said.replace('\n', "\n    "));
        }
        self.steps
            .push(json!({"step": n, "title": title, "said": said, "detail": detail}));
    }
}

/// A small JPEG standing in for the office's photo of a parcel.
fn demo_jpeg() -> Result<Vec<u8>> {
    let img = image::RgbImage::from_fn(64, 48, |x, y| {
        image::Rgb([200, (x * 3) as u8, (y * 4) as u8])
    });
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Jpeg)
        .map_err(|e| LobbyError::internal(format!("cannot make the demo photo: {e}")))?;
    Ok(out.into_inner())
}

/// The kinds and versions an onboarding preview lists (`terms 2026-11`).
fn policy_names(scanned: &lobby_core::ScannedOnboarding) -> Vec<String> {
    scanned
        .preview
        .policies
        .iter()
        .map(|p| format!("{} {}", p.kind, p.version))
        .collect()
}

fn fail(what: &str) -> LobbyError {
    LobbyError::internal(format!("demo: {what}"))
}

fn internal(e: impl std::fmt::Display) -> LobbyError {
    LobbyError::internal(format!("demo: {e}"))
}

async fn start_server(db: &std::path::Path, addr: SocketAddr) -> Result<RunningServer> {
    lobby_server::start(ServerConfig {
        db_path: db.to_path_buf(),
        addr,
        dev: true,
        otp_webhook: None,
        key_file: None,
        limits: Default::default(),
    })
    .await
    .map_err(internal)
}

pub async fn run(as_json: bool) -> Result<Reply> {
    let tmp = tempfile::tempdir().map_err(internal)?;
    let db = tmp.path().join("server.db");
    let mut tour = Tour {
        json: as_json,
        steps: Vec::new(),
    };

    // 1. The juristic office's server.
    let server = start_server(&db, SocketAddr::from(([127, 0, 0, 1], 0))).await?;
    let staff_token = server
        .staff_token
        .clone()
        .ok_or_else(|| fail("dev server gave no staff token"))?;
    let admin = AdminClient::new(&server.url, &staff_token);
    tour.step(
        "Start the reference server",
        format!(
            "lobby-server on {} (development mode, temporary SQLite)",
            server.url
        ),
        json!({"url": server.url}),
    );

    // 2–3. Staff set up the project and import the owner registry.
    let project = admin
        .create_project("เดอะ ล็อบบี้ เรสซิเดนซ์ ลุมพินี", ProjectKind::Condominium)
        .await?;
    let imported = admin
        .import_owners(&project.project_id, REGISTRY.as_bytes().to_vec())
        .await?;
    tour.step(
        "Staff import the owner registry",
        format!(
            "{} units imported into project {}: {}",
            imported.units.len(),
            project.project_id,
            imported
                .units
                .iter()
                .map(|u| format!("{} ({})", u.unit, u.owner))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        json!({"project_id": project.project_id, "units": imported.units.len()}),
    );
    let first = imported
        .units
        .first()
        .ok_or_else(|| fail("no unit imported"))?;
    let second = imported
        .units
        .iter()
        .find(|u| u.owner == first.owner && u.unit_id != first.unit_id)
        .ok_or_else(|| fail("the registry should give the first owner two units"))?;

    // The platform's documents are in force before anyone onboards.
    privacy::publish(&mut tour, &admin).await?;

    // 4. The phone scans a photo of the printed QR.
    let phone_dir = tmp.path().join("phone");
    let secrets = Arc::new(MemorySecretStore::new());
    let lobby = Lobby::open(
        LobbyConfig {
            data_dir: phone_dir.clone(),
            server_url: Some(server.url.clone()),
            device_label: Some(OWNER_DEVICE.into()),
        },
        secrets.clone(),
    )?;
    let png = lobby_core::qr::render_png(&first.onboarding_payload)?;
    let scanned = lobby.auth().scan_onboarding_image(&png).await?;
    tour.step(
        "Owner scans the onboarding QR",
        format!(
            "QR photo ({} bytes) read and checked offline; registration: unit {} of {}, owner {}, ratio {}, new account: {}; documents to answer: {}",
            png.len(),
            scanned.preview.unit_number,
            scanned.preview.project_name,
            scanned.preview.owner_name,
            scanned.preview.ownership_ratio,
            scanned.new_account,
            policy_names(&scanned).join(", ")
        ),
        json!({"unit": scanned.preview.unit_number, "owner": scanned.preview.owner_name, "new_account": scanned.new_account,
               "policies": policy_names(&scanned)}),
    );

    // 5. Bad input is refused before any network call.
    let tampered = first.onboarding_payload.replacen(":1:", ":1:X", 1);
    let refused = lobby
        .auth()
        .scan_onboarding(&tampered)
        .await
        .err()
        .map(|e| e.code);
    if refused != Some(ErrorCode::OnboardingTokenInvalid) {
        return Err(fail("a tampered QR was not refused"));
    }
    let weak = lobby
        .auth()
        .start_onboarding(
            &first.onboarding_payload,
            Some(OWNER_PHONE),
            Some("password"),
            None,
            None,
            &[],
        )
        .await
        .err()
        .map(|e| e.code);
    tour.step(
        "Bad input is refused, offline",
        format!(
            "tampered QR → {}; weak password → {}",
            ErrorCode::OnboardingTokenInvalid,
            weak.map(|c| c.as_str()).unwrap_or("accepted?!")
        ),
        json!({"tampered": "onboarding_token_invalid", "weak_password": weak.map(|c| c.as_str())}),
    );

    // 6. Profile, password, the terms and privacy policy agreed, OTP.
    let agreed = [ConsentKind::Terms, ConsentKind::Privacy];
    let answers = scanned.answers(&agreed, &[])?;
    let sent = lobby
        .auth()
        .start_onboarding(
            &first.onboarding_payload,
            Some(OWNER_PHONE),
            Some(OWNER_PASSWORD),
            None,
            Some("สมชาย"),
            &answers,
        )
        .await?;
    let code = admin.peek_otp(OWNER_PHONE).await?.code;
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let wrong_code = lobby
        .auth()
        .verify_onboarding(wrong)
        .await
        .err()
        .map(|e| e.code);
    let signed = lobby.auth().verify_onboarding(&code).await?;
    let recorded: Vec<&str> = lobby
        .consents()
        .list()?
        .into_iter()
        .filter(|c| c.given && !c.pending)
        .map(|c| c.kind.as_str())
        .collect();
    if recorded != agreed.map(ConsentKind::as_str) {
        return Err(fail(
            "the consents given at onboarding were not synced back",
        ));
    }
    tour.step(
        "Owner verifies by OTP: account created with the consents, first sync",
        format!(
            "code sent to {}; a wrong code → {}; the right one → person {} with {} unit(s); agreed at onboarding, recorded with the account: {}",
            sent.sent_to,
            wrong_code.map(|c| c.as_str()).unwrap_or("accepted?!"),
            signed.person_id,
            signed.units.len(),
            recorded.join(", ")
        ),
        json!({"otp_sent_to": sent.sent_to, "person_id": signed.person_id, "units": signed.units.len(),
               "consents_given": recorded}),
    );

    // 7. Reusing the QR fails.
    let reused = lobby
        .auth()
        .scan_onboarding(&first.onboarding_payload)
        .await
        .err()
        .map(|e| e.code);
    if reused != Some(ErrorCode::OnboardingTokenUsed) {
        return Err(fail("a used onboarding QR was accepted again"));
    }

    // 8. The same owner adds a second unit: no new account.
    let scanned2 = lobby
        .auth()
        .scan_onboarding(&second.onboarding_payload)
        .await?;
    let added = lobby
        .auth()
        .claim_onboarding(&second.onboarding_payload)
        .await?;
    if added.person_id != signed.person_id {
        return Err(fail("the second unit went to a new account"));
    }
    tour.step(
        "Owner scans a second unit's QR",
        format!(
            "used QR → {}; unit {} added to the same account (new account: {}); units now: {}",
            ErrorCode::OnboardingTokenUsed,
            scanned2.preview.unit_number,
            scanned2.new_account,
            added
                .units
                .iter()
                .map(|u| format!("{} ({})", u.unit_number, u.project_name))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        json!({"new_account": scanned2.new_account, "units": added.units.len()}),
    );

    // 9. Current unit.
    let chosen = lobby.units().set_current(&second.unit_id)?;
    tour.step(
        "Choose the current unit",
        format!(
            "current unit: {} — {}",
            chosen.unit_number, chosen.project_name
        ),
        json!({"current": chosen.unit_id}),
    );

    // 10. An edit goes through the outbox.
    lobby.profile().set_display_name("คุณสมชาย")?;
    let pending_before = lobby.status().pending;
    let report = lobby.sync().await?;
    tour.step(
        "Edit the profile: queued, then synced exactly once",
        format!(
            "{} change(s) queued; sync pushed {}, pulled {}, pending {}",
            pending_before, report.pushed, report.pulled, report.pending
        ),
        json!({"pushed": report.pushed, "pending": report.pending}),
    );

    // Invitations: a tenant joins, the cap holds, a removal purges the tenant's phone.
    let made = lobby.invites().create(Role::Tenant, Some(&first.unit_id))?;
    let code = made
        .code
        .clone()
        .ok_or_else(|| fail("the new invitation has no code"))?;
    let queued = made.row.status.as_str();
    lobby.sync().await?;
    let confirmed = lobby
        .invites()
        .list(Some(&first.unit_id))?
        .first()
        .map(|i| i.row.status.as_str())
        .unwrap_or("?");
    let invite_png = lobby_core::qr::render_png(&invite_qr_payload(&code))?;
    tour.step(
        "Owner invites a tenant",
        format!(
            "code {} ({} on the phone, {} once the server confirmed; QR {} bytes); at most 5 per unit",
            format_invite_code(&code),
            queued,
            confirmed,
            invite_png.len()
        ),
        json!({"status_before_sync": queued, "status_after_sync": confirmed}),
    );
    let tenant = Lobby::open(
        LobbyConfig {
            data_dir: tmp.path().join("tenant-phone"),
            server_url: Some(server.url.clone()),
            device_label: Some("Redmi Note 13 · Android 14".into()),
        },
        Arc::new(MemorySecretStore::new()),
    )?;
    let sent = tenant
        .invites()
        .accept_image(&invite_png, TENANT_PHONE, Some("มานี ผู้เช่า"))
        .await?;
    let otp = admin.peek_otp(TENANT_PHONE).await?.code;
    let joined = tenant.auth().verify_login(&otp).await?;
    let joined_unit = joined
        .units
        .first()
        .ok_or_else(|| fail("the tenant got no unit"))?;
    lobby.sync().await?;
    let members = lobby.invites().members(Some(&first.unit_id))?;
    tour.step(
        "The tenant accepts on their own phone",
        format!(
            "QR photo read, code checked, OTP sent to {}; tenant now sees unit {} as {}; the owner's member list: {}",
            sent.sent_to,
            joined_unit.unit_number,
            joined_unit.role.as_str(),
            members.iter().map(|m| format!("{} ({})", m.name, m.role.as_str())).collect::<Vec<_>>().join(", ")
        ),
        json!({"tenant_units": joined.units.len(), "members": members.len()}),
    );
    for _ in 0..4 {
        lobby
            .invites()
            .create(Role::Resident, Some(&first.unit_id))?;
    }
    let capped = lobby
        .invites()
        .create(Role::Resident, Some(&first.unit_id))
        .err();
    if capped.as_ref().map(|e| e.code) != Some(ErrorCode::InviteCapReached) {
        return Err(fail("a sixth right in one unit was not refused"));
    }
    lobby.sync().await?;
    tour.step(
        "The cap of 5 holds",
        format!(
            "1 tenant + 4 more invitations = 5; the 6th → {}: {}",
            ErrorCode::InviteCapReached,
            capped.map(|e| e.message).unwrap_or_default()
        ),
        json!({"refused": "invite_cap_reached"}),
    );
    let tenant_member = members.first().ok_or_else(|| fail("no member to remove"))?;
    lobby
        .invites()
        .remove_member(&tenant_member.person_id, Some(&first.unit_id))?;
    lobby.sync().await?;
    tenant.sync().await?;
    let left = tenant.units().list()?.len();
    if left != 0 {
        return Err(fail("the removed tenant still sees the unit"));
    }
    tour.step(
        "Owner removes the tenant",
        format!("removal synced; the tenant's phone purged the unit on its next sync ({left} units left there)"),
        json!({"tenant_units_after": left}),
    );
    tenant.close();

    // Parcels: the office logs one; the phone lists it after its next sync.
    let logged = admin
        .add_parcel(&lobby_core::protocol::admin::ParcelAdd {
            unit_id: first.unit_id.clone(),
            recipient: "คุณสมชาย ใจดี".into(),
            carrier: "ไปรษณีย์ไทย".into(),
            tracking: Some("EX123456789TH".into()),
        })
        .await?;
    lobby.sync().await?;
    let waiting = lobby.parcels().list(&lobby_core::ParcelFilter {
        status: Some(lobby_core::ParcelStatus::Waiting),
        recipient: Some("สมชาย".into()),
    })?;
    if !waiting.iter().any(|p| p.parcel_id == logged.parcel_id) {
        return Err(fail("the logged parcel did not reach the phone"));
    }
    tour.step(
        "The office logs a parcel; the phone lists it",
        format!(
            "{} waiting for {} ({}), listed from the phone's replica by status and recipient",
            waiting.len(),
            waiting[0].recipient,
            waiting[0].carrier
        ),
        json!({"waiting": waiting.len()}),
    );

    // Its photo: the office attaches one; the phone fetches it once and caches it.
    let set = admin
        .set_parcel_photo(&logged.parcel_id, demo_jpeg()?)
        .await?;
    lobby.sync().await?;
    let photo = lobby.parcels().photo(&logged.parcel_id).await?;
    tour.step(
        "The office attaches a photo; the phone fetches it once",
        format!(
            "a {} byte JPEG, checked against its SHA-256 and kept in the encrypted cache",
            photo.len()
        ),
        json!({"file_id": set.file_id, "bytes": photo.len()}),
    );

    // 11. The server goes away: the phone keeps working.
    let addr: SocketAddr = server
        .url
        .trim_start_matches("http://")
        .parse()
        .map_err(internal)?;
    server.shutdown().await.map_err(internal)?;
    let units_offline = lobby.units().list()?;
    let photo_offline = lobby.parcels().photo(&logged.parcel_id).await?;
    if photo_offline != photo {
        return Err(fail("the cached parcel photo changed"));
    }
    lobby.profile().set_display_name("สมชาย (ออฟไลน์)")?;
    let offline = lobby.sync().await?;
    tour.step(
        "No network: the replica answers, changes wait",
        format!(
            "server stopped; {} unit(s) still listed and the parcel photo shown from the phone; a name edit is queued; sync says {} with {} pending",
            units_offline.len(),
            offline.state.name(),
            offline.pending
        ),
        json!({"units": units_offline.len(), "photo_bytes": photo_offline.len(), "state": offline.state.name(), "pending": offline.pending}),
    );

    // The lobby has no signal either: the pickup pass is made on the phone all the same.
    let pass = lobby.parcels().pickup_pass(Some(&first.unit_id))?;
    let qr = lobby.parcels().pickup_qr_png(&pass)?;
    if lobby_core::qr::read_png_or_jpeg(&qr)? != pass.payload {
        return Err(fail("the pickup QR does not read back"));
    }
    tour.step(
        "No network at the counter: the pickup QR is made on the phone",
        format!(
            "signed with this sign-in's device key; valid until {} ({} s from now); QR PNG {} bytes",
            pass.valid_until.to_rfc3339(),
            (pass.valid_until - chrono::Utc::now()).num_seconds(),
            qr.len()
        ),
        json!({"valid_until": pass.valid_until.to_rfc3339(), "png_bytes": qr.len(), "key_registered": pass.key_registered}),
    );

    // 12. The server returns; the queued edit lands.
    let server = match start_server(&db, addr).await {
        Ok(s) => s,
        Err(_) => {
            let s = start_server(&db, SocketAddr::from(([127, 0, 0, 1], 0))).await?;
            lobby.set_server_url(&s.url)?;
            s
        }
    };
    let back = lobby.sync().await?;
    let profile = lobby
        .profile()
        .get()?
        .ok_or_else(|| fail("no profile after sync"))?;
    tour.step(
        "Network back: the queue drains",
        format!(
            "sync {}: pushed {}, pending {}; profile name now {}",
            back.state.name(),
            back.pushed,
            back.pending,
            profile.display_name
        ),
        json!({"state": back.state.name(), "pushed": back.pushed, "pending": back.pending}),
    );

    // The login e-mail changes only by a code sent to the new address (issue 7).
    let admin = AdminClient::new(
        &server.url,
        server.staff_token.as_deref().unwrap_or(&staff_token),
    );
    // At the counter: staff scan the pass, see the unit's waiting parcels, hand over.
    let verified = admin.verify_pickup(&pass.payload).await?;
    let ids: Vec<String> = verified
        .parcels
        .iter()
        .map(|p| p.parcel_id.clone())
        .collect();
    if !ids.contains(&logged.parcel_id) {
        return Err(fail("the verified pass does not list the waiting parcel"));
    }
    admin
        .hand_over(&lobby_core::protocol::admin::PickupHandover {
            payload: Some(pass.payload.clone()),
            parcel_ids: ids.clone(),
            signature_png: None,
            collected_by: None,
        })
        .await?;
    let replay = admin.verify_pickup(&pass.payload).await.is_ok()
        && admin
            .hand_over(&lobby_core::protocol::admin::PickupHandover {
                payload: Some(pass.payload.clone()),
                parcel_ids: ids.clone(),
                signature_png: None,
                collected_by: None,
            })
            .await
            .is_ok();
    if replay {
        return Err(fail("the same pickup pass handed parcels over twice"));
    }
    lobby.sync().await?;
    let picked = lobby
        .parcels()
        .list(&lobby_core::ParcelFilter::default())?
        .into_iter()
        .find(|p| p.parcel_id == logged.parcel_id)
        .ok_or_else(|| fail("the parcel left the phone"))?;
    let handed = picked
        .timeline
        .iter()
        .find(|e| e.step == lobby_core::CustodyStep::HandedOver)
        .ok_or_else(|| fail("no handover in the parcel's custody"))?;
    tour.step(
        "At the counter: staff verify the pass and hand the parcel over",
        format!(
            "pass of {} for unit {}: {} waiting parcel(s) handed over; the same pass again is refused; the phone shows {} — handed to {} by {} ({})",
            verified.person_name,
            verified.unit_number,
            ids.len(),
            picked.status.as_str(),
            handed.collected_by.as_deref().unwrap_or("-"),
            handed.staff.as_deref().unwrap_or("-"),
            handed.method.as_deref().unwrap_or("-")
        ),
        json!({"handed_over": ids.len(), "status": picked.status.as_str(), "custody_steps": picked.timeline.len()}),
    );

    let old_email = profile.email.clone();
    let challenge = lobby
        .profile()
        .request_email_change("somchai.new@example.com")
        .await?;
    let email_code = admin.peek_otp("somchai.new@example.com").await?.code;
    let changed = lobby
        .profile()
        .confirm_email_change(&email_code)
        .await?
        .ok_or_else(|| fail("no profile after the e-mail change"))?;
    tour.step(
        "Change the login e-mail: a code goes to the new address",
        format!(
            "code sent to {}; entered; login e-mail now {} (was {}; the old address is told)",
            challenge.sent_to,
            changed.email.as_deref().unwrap_or("-"),
            old_email.as_deref().unwrap_or("none")
        ),
        json!({"email": changed.email, "had_email": old_email.is_some()}),
    );

    // Announcements.
    announcements::run(
        &mut tour,
        &admin,
        &project.project_id,
        &first.unit_id,
        &lobby,
    )
    .await?;

    // Invoices and payment slips.
    invoices::run(
        &mut tour,
        &admin,
        &project.project_id,
        &first.unit_id,
        &lobby,
    )
    .await?;

    // Consents (PDPA).
    privacy::run(
        &mut tour,
        &admin,
        &project.project_id,
        &lobby,
        &server.url,
        tmp.path(),
    )
    .await?;

    // Meetings and e-voting.
    meetings::run(
        &mut tour,
        &admin,
        &server.url,
        tmp.path(),
        &project.project_id,
        &imported.units,
        &lobby,
    )
    .await?;

    // 13. Sign out, sign in with the password.
    let revoked = lobby.auth().logout(false).await?;
    let tokens_left = secrets
        .get(lobby_core::secrets::keys::REFRESH_TOKEN)?
        .is_some();
    let again = lobby
        .auth()
        .login_password(OWNER_PHONE, OWNER_PASSWORD)
        .await?;
    tour.step(
        "Sign out, then sign in with the password",
        format!(
            "logout revoked on server: {revoked}; tokens left on phone: {tokens_left}; password login → {} unit(s) back",
            again.units.len()
        ),
        json!({"revoked": revoked, "tokens_left": tokens_left, "units": again.units.len()}),
    );

    // 14. The owner erases this phone (PDPA): its sign-in ends on the server, then every
    // table and every account secret go.
    let secrets_before = secrets.names().len();
    let told = lobby.sign_out_and_wipe().await?;
    let units_left = lobby.units().list()?.len();
    let profile_left = lobby.profile().get()?.is_some();
    let secrets_left = secrets.names();
    if units_left != 0
        || profile_left
        || lobby.auth().is_signed_in()
        || secrets_left != [lobby_core::secrets::keys::DATABASE_KEY]
        || !told
    {
        return Err(fail("the wipe left account data on the phone"));
    }
    tour.step(
        "The owner erases this phone (PDPA)",
        format!(
            "its sign-in ended on the server first; {secrets_before} secrets before (session tokens, invitation codes, database key), {} after (the device's database key); units {units_left}, profile gone, signed out",
            secrets_left.len()
        ),
        json!({"signed_out_on_server": told, "secrets_before": secrets_before, "secrets_after": secrets_left.len(), "units": units_left}),
    );

    // 15–16. Devices and sessions (PDPA): which device, last seen; report misuse.
    sessions::run(
        &mut tour,
        &admin,
        &project.project_id,
        &server.url,
        tmp.path(),
        &lobby,
        OWNER_DEVICE,
    )
    .await?;

    // 17. Correcting the phone number (PDPA: contact fields are the person's to correct).
    contact::run(&mut tour, &admin, &lobby).await?;

    // Each phone closes its core (the runtime's threads end) before the process does.
    lobby.close();
    server.shutdown().await.map_err(internal)?;
    let steps = tour.steps.len();
    Ok(Reply::new(
        json!({"ok": true, "steps": tour.steps}),
        format!("\nDemo finished: {steps} steps, all as promised."),
    ))
}
