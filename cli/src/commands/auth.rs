//! `onboard …`, `login …`, `logout`.

use lobby_core::domain::consent::ConsentKind;
use lobby_core::protocol::PolicyPublished;
use lobby_core::{Lobby, Result, SignedIn};
use serde_json::json;

use super::{unit_json, unit_line};
use crate::args::{CompleteArgs, Login, Onboard};
use crate::output::Reply;

pub async fn onboard(lobby: &Lobby, cmd: Onboard) -> Result<Reply> {
    match cmd {
        Onboard::Scan(args) => {
            let scanned = match (&args.payload, &args.image) {
                (_, Some(path)) => {
                    let bytes = std::fs::read(path).map_err(|e| {
                        lobby_core::LobbyError::invalid(format!(
                            "cannot read {}: {e}",
                            path.display()
                        ))
                    })?;
                    lobby.auth().scan_onboarding_image(&bytes).await?
                }
                (Some(p), None) => lobby.auth().scan_onboarding(p).await?,
                (None, None) => {
                    return Err(lobby_core::LobbyError::invalid(
                        "give the QR text or --image",
                    ))
                }
            };
            let p = &scanned.preview;
            let human = format!(
                "Unit {} in {}\nOwner: {}  (ownership ratio {}){}\n{}",
                p.unit_number,
                p.project_name,
                p.owner_name,
                p.ownership_ratio,
                policies_line(&p.policies),
                if scanned.new_account {
                    "New account: continue with `lobby onboard complete --payload … --phone … --password …`"
                } else {
                    "You already have an account: this unit will be added to it (`lobby onboard complete --payload …`)"
                }
            );
            Ok(Reply::new(
                json!({
                    "unit": p.unit_number,
                    "unit_id": p.unit_id,
                    "owner": p.owner_name,
                    "project": p.project_name,
                    "project_id": p.project_id,
                    "ownership_ratio": p.ownership_ratio.to_json_number(),
                    "new_account": scanned.new_account,
                    "policies": p.policies.iter().map(|d| json!({
                        "kind": d.kind,
                        "version": d.version,
                        "published_at": rfc3339(d.published_at),
                    })).collect::<Vec<_>>(),
                }),
                human,
            ))
        }
        Onboard::Complete(CompleteArgs {
            payload,
            phone,
            password,
            email,
            name,
            agree,
            decline,
        }) => {
            let answering = !agree.is_empty() || !decline.is_empty();
            if lobby.auth().is_signed_in() && answering {
                return Err(lobby_core::LobbyError::invalid(
                    "this device is signed in: the unit is added without a new registration; \
                     answer documents with `lobby consent give|withdraw --kind …`",
                ));
            }
            if lobby.auth().is_signed_in() {
                // An owner with an account adds the unit directly (DESIGN.md §2.1.4).
                let signed = lobby.auth().claim_onboarding(&payload).await?;
                let mut reply = signed_in_reply(&signed, true);
                reply.json["otp_sent_to"] = serde_json::Value::Null;
                reply.json["unit_added"] = json!(true);
                reply.human = format!("Unit added to your account.\n{}", reply.human);
                return Ok(reply);
            }
            let consents = if answering {
                // The versions agreed are those the preview shows in force.
                let scanned = lobby.auth().scan_onboarding(&payload).await?;
                scanned.answers(&kinds(&agree)?, &kinds(&decline)?)?
            } else {
                Vec::new()
            };
            let sent = lobby
                .auth()
                .start_onboarding(
                    &payload,
                    phone.as_deref(),
                    password.as_deref(),
                    email.as_deref(),
                    name.as_deref(),
                    &consents,
                )
                .await?;
            Ok(Reply::new(
                json!({"otp_sent_to": sent.sent_to, "expires_at": rfc3339(sent.expires_at)}),
                format!(
                    "A code was sent to {}. Verify it with `lobby onboard verify --code …`.",
                    sent.sent_to
                ),
            ))
        }
        Onboard::Verify { code } => {
            let signed = lobby.auth().verify_onboarding(&code).await?;
            Ok(signed_in_reply(&signed, true))
        }
    }
}

/// `--agree` / `--decline` values as kinds (`terms`, `privacy`, `marketing`).
fn kinds(names: &[String]) -> Result<Vec<ConsentKind>> {
    names.iter().map(|n| ConsentKind::parse(n.trim())).collect()
}

/// The documents to answer, for the scan's human output ("" when none is published).
fn policies_line(policies: &[PolicyPublished]) -> String {
    if policies.is_empty() {
        return String::new();
    }
    let list: Vec<String> = policies
        .iter()
        .map(|p| format!("{} {}", p.kind, p.version))
        .collect();
    format!(
        "\nDocuments in force: {} (answer with `--agree KIND` / `--decline KIND`)",
        list.join(", ")
    )
}

pub async fn login(lobby: &Lobby, cmd: Login) -> Result<Reply> {
    match cmd {
        Login::Otp { to } => {
            let sent = lobby.auth().login_otp(&to).await?;
            Ok(Reply::new(
                json!({"otp_sent_to": sent.sent_to, "expires_at": rfc3339(sent.expires_at)}),
                format!(
                    "If an account uses that address, a code was sent to {}.",
                    sent.sent_to
                ),
            ))
        }
        Login::Verify { code } => Ok(signed_in_reply(
            &lobby.auth().verify_login(&code).await?,
            false,
        )),
        Login::Password { to, password } => Ok(signed_in_reply(
            &lobby.auth().login_password(&to, &password).await?,
            false,
        )),
    }
}

pub async fn logout(lobby: &Lobby, everywhere: bool) -> Result<Reply> {
    let revoked = lobby.auth().logout(everywhere).await?;
    let human = if revoked {
        "Signed out; the session is revoked on the server."
    } else {
        "Signed out on this device. The server could not be told (offline); the tokens are gone from here."
    };
    Ok(Reply::new(json!({"revoked": revoked}), human))
}

/// `logout --everywhere --report-misuse`: every sign-in ends and the office is told.
pub async fn report_misuse(lobby: &Lobby, detail: Option<&str>) -> Result<Reply> {
    let report = lobby.auth().report_misuse(detail).await?;
    let human = format!(
        "Every sign-in of your account is ended, this device's too, and the juristic office has your misuse report (request {}); they must look into it by {}. Sign in again, and change your password.",
        report.request_id,
        rfc3339(report.deadline)
    );
    Ok(Reply::new(
        json!({
            "revoked": true,
            "misuse_report": {"request_id": report.request_id, "deadline": rfc3339(report.deadline)},
        }),
        human,
    ))
}

fn signed_in_reply(s: &SignedIn, with_units: bool) -> Reply {
    let mut human = "Signed in.".to_string();
    for u in &s.units {
        human.push_str(&format!("\n  {}", unit_line(u)));
    }
    let mut v = json!({"person_id": s.person_id});
    if with_units {
        v["units"] = s.units.iter().map(unit_json).collect();
    }
    if let Some(to) = &s.email_code_sent_to {
        v["email_code_sent_to"] = json!(to);
        human.push_str(&format!(
            "\nA code was sent to {to} to confirm your e-mail; enter it with `lobby profile verify-email --code CODE`."
        ));
    }
    Reply::new(v, human)
}

pub fn rfc3339(t: chrono::DateTime<chrono::Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}
