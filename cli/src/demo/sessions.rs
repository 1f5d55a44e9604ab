//! The demo's devices-and-sessions steps (issue 11: "which device, last seen"): the owner
//! signs in again on the erased phone (its erasure ended its earlier sign-in) and on a
//! tablet and lists the signed-in devices — and finds a third, an unknown device someone
//! signed in on with the owner's password. Not recognising it, the owner reports misuse
//! from the tablet: every sign-in ends (the intruder's too), the phone's next sync wipes
//! what it held, and the juristic office has the report at the top of its list, due in
//! 72 hours.

use std::path::Path;
use std::sync::Arc;

use lobby_core::secrets::MemorySecretStore;
use lobby_core::{ErrorCode, Lobby, LobbyConfig, Result, SessionInfo, SyncState};
use serde_json::json;

use lobby_server::AdminClient;

use super::{fail, Tour, OWNER_PASSWORD, OWNER_PHONE};

const TABLET: &str = "iPad Air · iPadOS 18";

fn line(s: &SessionInfo) -> String {
    format!(
        "{}{} — last seen {}",
        s.device.as_deref().unwrap_or("unknown device"),
        if s.current { " (this device)" } else { "" },
        s.last_seen.format("%H:%M:%S UTC")
    )
}

pub(super) async fn run(
    tour: &mut Tour,
    admin: &AdminClient,
    project_id: &str,
    server_url: &str,
    data_dir: &Path,
    phone: &Lobby,
    phone_label: &str,
) -> Result<()> {
    // The wipe took the remembered server address with everything else.
    phone.set_server_url(server_url)?;
    phone
        .auth()
        .login_password(OWNER_PHONE, OWNER_PASSWORD)
        .await?;
    let tablet = Lobby::open(
        LobbyConfig {
            data_dir: data_dir.join("tablet"),
            server_url: Some(server_url.to_string()),
            device_label: Some(TABLET.into()),
        },
        Arc::new(MemorySecretStore::new()),
    )?;
    tablet
        .auth()
        .login_password(OWNER_PHONE, OWNER_PASSWORD)
        .await?;
    // Someone who learned the password, on a device that gives no name.
    let intruder = Lobby::open(
        LobbyConfig {
            data_dir: data_dir.join("intruder"),
            server_url: Some(server_url.to_string()),
            device_label: None,
        },
        Arc::new(MemorySecretStore::new()),
    )?;
    intruder
        .auth()
        .login_password(OWNER_PHONE, OWNER_PASSWORD)
        .await?;
    let listed = phone.auth().sessions().await?;
    let current: Vec<_> = listed.iter().filter(|s| s.current).collect();
    let labels: Vec<_> = listed.iter().map(|s| s.device.as_deref()).collect();
    if current.len() != 1
        || current[0].device.as_deref() != Some(phone_label)
        || labels != [None, Some(TABLET), Some(phone_label)]
    {
        return Err(fail("the session list is not the owner's three sign-ins"));
    }
    tour.step(
        "Devices and sessions: which device, last seen",
        format!(
            "the owner signs in again on the phone and on a tablet; `lobby sessions` lists {} sign-ins, the most recently seen first:\n{}\n(the erased phone's earlier sign-in is not among them: erasing it ended it on the server. The unknown device is not the owner's)",
            listed.len(),
            listed.iter().map(|s| format!("  {}", line(s))).collect::<Vec<_>>().join("\n")
        ),
        json!({"sessions": listed.iter().map(|s| json!({"device": s.device, "current": s.current})).collect::<Vec<_>>()}),
    );

    let misuse = tablet
        .auth()
        .report_misuse(Some("ไม่รู้จักเครื่องที่เข้าสู่ระบบ (a sign-in I do not recognise)"))
        .await?;
    let revoked = !tablet.auth().is_signed_in();
    let office = admin.privacy_requests(project_id).await?.requests;
    let on_top = office
        .first()
        .is_some_and(|r| r.request_id == misuse.request_id && r.kind == "misuse");
    let report = phone.sync().await?;
    let ended =
        matches!(&report.state, SyncState::Error { code, .. } if *code == ErrorCode::Unauthorized);
    let units_left = phone.units().list()?.len();
    let still_listed = phone.auth().sessions().await.map(|s| s.len()).ok();
    let intruder_out = intruder.sync().await.is_ok_and(
        |r| matches!(&r.state, SyncState::Error { code, .. } if *code == ErrorCode::Unauthorized),
    ) && !intruder.auth().is_signed_in();
    tablet.close();
    intruder.close();
    if !revoked
        || !on_top
        || !ended
        || units_left != 0
        || phone.auth().is_signed_in()
        || still_listed.is_some()
        || !intruder_out
    {
        return Err(fail(
            "logging out everywhere did not end the phone's session",
        ));
    }
    tour.step(
        "Report misuse from the tablet: every sign-in ends, the office is told",
        format!(
            "`lobby logout --everywhere --report-misuse`: every device is signed out on the server (the unknown one too: its next sync is refused and it holds nothing of the account) and the report (request {}) tops the office's privacy requests, due {} (72 hours: a possible breach); the phone's next sync is refused ({}), and the phone drops the account's data: {units_left} unit(s) left, signed out",
            misuse.request_id,
            misuse.deadline.format("%Y-%m-%d %H:%M UTC"),
            report.state.name()
        ),
        json!({"revoked": revoked, "intruder_signed_out": intruder_out, "office_sees_it_first": on_top, "phone_sync": report.state.name(), "phone_units": units_left}),
    );
    Ok(())
}
