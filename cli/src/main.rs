//! `lobby`: a terminal shell over Lobby's core — a third "app" beside Android and iOS, for
//! demos, scripts and black-box tests. The contract is INTERFACE.md.

mod args;
mod commands;
mod demo;
mod device;
mod output;

use clap::Parser;

use args::{Cli, Command};
use lobby_core::Result;
use output::{print_error, print_reply, print_usage_error, Reply};

fn main() {
    let wants_json = std::env::args().any(|a| a == "--json");
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            use clap::error::ErrorKind;
            if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) || !wants_json
            {
                e.exit();
            }
            print_usage_error(&e.to_string(), true);
            std::process::exit(2);
        }
    };
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("LOBBY_LOG")
                .unwrap_or_else(|_| "warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let rt = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("cannot start: {e}");
            std::process::exit(1);
        }
    };
    let json = cli.json;
    let outcome = rt.block_on(run(cli));
    // Every thread the process started ends before it exits: the core's runtime was
    // joined by `Lobby::close` in `run`; dropping this one joins its blocking threads.
    // (A thread still ending while OpenSSL's exit handlers run crashes the process.)
    drop(rt);
    let code = match outcome {
        Ok(reply) => {
            print_reply(&reply, json);
            i32::from(reply.failed)
        }
        Err(e) => {
            print_error(&e, json);
            1
        }
    };
    use std::io::Write;
    let _ = std::io::stdout().flush();
    std::process::exit(code);
}

async fn run(cli: Cli) -> Result<Reply> {
    if let Command::Demo = cli.command {
        return demo::run(cli.json).await;
    }
    let lobby = device::open(device::home_dir(cli.home), cli.server)?;
    let reply = dispatch(&lobby, cli.command).await;
    lobby.close();
    reply
}

async fn dispatch(lobby: &lobby_core::Lobby, command: Command) -> Result<Reply> {
    use commands::{account, announcements, auth, invites, invoices, meetings, parcels, privacy};
    match command {
        Command::Onboard(cmd) => auth::onboard(lobby, cmd).await,
        Command::Login(cmd) => auth::login(lobby, cmd).await,
        Command::Logout {
            everywhere,
            report_misuse: false,
            ..
        } => auth::logout(lobby, everywhere).await,
        Command::Logout { detail, .. } => auth::report_misuse(lobby, detail.as_deref()).await,
        Command::Sessions => commands::sessions::list(lobby).await,
        Command::Units => account::units(lobby),
        Command::Use { unit_id } => account::use_unit(lobby, &unit_id),
        Command::Sync => account::sync(lobby).await,
        Command::Status => account::status(lobby),
        Command::Profile { action } => account::profile(lobby, action).await,
        Command::Invite(cmd) => invites::invite(lobby, cmd).await,
        Command::Members { action } => invites::members(lobby, action).await,
        Command::Parcels { status, recipient } => parcels::list(lobby, status, recipient),
        Command::PickupQr { out, unit } => parcels::pickup_qr(lobby, out, unit),
        Command::ParcelPhoto { parcel_id, out } => parcels::photo(lobby, &parcel_id, &out).await,
        Command::Announcements { unit, action } => match action {
            None => announcements::list(lobby, unit).await,
            Some(args::AnnouncementsAction::Open {
                announcement_id,
                save_attachment,
            }) => announcements::open(lobby, &announcement_id, unit, save_attachment).await,
        },
        Command::Invoices { unit, action } => match action {
            None => invoices::list(lobby, unit).await,
            Some(args::InvoicesAction::Pay { invoice_id, slip }) => {
                invoices::pay(lobby, &invoice_id, &slip).await
            }
        },
        Command::Export { out } => privacy::export(lobby, &out).await,
        Command::Consents => privacy::list(lobby).await,
        Command::Privacy(args::PrivacyCmd::Request { kind, detail }) => {
            privacy::request(lobby, &kind, detail).await
        }
        Command::Privacy(args::PrivacyCmd::Requests) => privacy::requests(lobby).await,
        Command::Consent(args::ConsentCmd::Give { kind, version }) => {
            privacy::answer(lobby, true, &kind, version).await
        }
        Command::Consent(args::ConsentCmd::Withdraw { kind, version }) => {
            privacy::answer(lobby, false, &kind, version).await
        }
        Command::Meetings => meetings::list(lobby).await,
        Command::Meeting(args::MeetingCmd::Show { meeting_id }) => {
            meetings::show(lobby, &meeting_id).await
        }
        Command::Vote {
            item_id,
            choice,
            unit,
        } => meetings::vote(lobby, &item_id, &choice, unit).await,
        Command::Receipts(args::ReceiptsCmd::Verify { meeting_id }) => {
            meetings::verify(lobby, &meeting_id).await
        }
        Command::Wipe => account::wipe(lobby).await,
        Command::Demo => unreachable_demo(),
    }
}

fn unreachable_demo() -> Result<Reply> {
    Err(lobby_core::LobbyError::internal(
        "demo is handled before the device opens",
    ))
}
