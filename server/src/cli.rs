//! The `lobby-server` command line (INTERFACE.md): `serve`, `staff add|revoke` (on the
//! database file, for the server machine), `admin ...` (a client of the staff endpoints)
//! and `openapi` (prints the OpenAPI document).
//!
//! With `--json` a command prints exactly one JSON document on stdout; failures print
//! `{"error": {"code", "message"}}` and exit 1, usage errors exit 2. Logs go to stderr.

use std::collections::HashSet;
use std::ffi::OsString;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use base64::Engine;
use chrono::Utc;
use clap::{Parser, Subcommand, ValueEnum};
use lobby_model::domain::name::check_name;
use lobby_model::domain::profile::MAX_DISPLAY_NAME_CHARS;
use lobby_model::domain::secret_token::{random_secret, secret_digest};
use lobby_model::protocol::admin::{ParcelAdd, PickupHandover};
use lobby_model::protocol::{ItemAdd, MeetingCreate, ProjectKind, ProxyAdd};
use lobby_model::{ErrorCode, LobbyError, Weight};
use serde_json::{json, Value};

use crate::storage::{NewStaff, SqliteStorage, Storage};
use crate::{AdminClient, ServerConfig};

#[derive(Parser, Debug)]
#[command(name = "lobby-server", version, about = "Lobby's reference backend")]
struct Cli {
    /// Print exactly one JSON document on stdout.
    #[arg(long, global = true)]
    json: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Run the HTTP server until SIGTERM/SIGINT.
    Serve {
        #[arg(long, default_value = "lobby-server.db")]
        db: PathBuf,
        #[arg(long, default_value = "127.0.0.1:8080")]
        addr: SocketAddr,
        /// Development mode: dev staff token, recorded OTPs readable by `otp peek`.
        #[arg(long)]
        dev: bool,
        /// POST each OTP as `{"to", "code", "purpose"}` to this URL.
        #[arg(long)]
        otp_webhook: Option<String>,
        /// The server key (32 bytes; keyed digests of codes). Default: `<db>.key`,
        /// created on first start. Keep it out of database backups; give every instance
        /// of one database the same file.
        #[arg(long, env = "LOBBY_SERVER_KEY_FILE")]
        key_file: Option<PathBuf>,
        /// Shut down when the process PID, which started this one, ends (this process's
        /// parent is then no longer PID): a test harness that crashes or is killed
        /// leaves no server behind.
        #[arg(long, value_name = "PID", hide = true)]
        parent_pid: Option<u32>,
    },
    /// Staff credentials, made on the server machine.
    Staff {
        #[command(subcommand)]
        command: StaffCommand,
    },
    /// Staff operations through the server's admin endpoints.
    Admin {
        #[arg(long)]
        server: String,
        #[arg(long, env = "LOBBY_STAFF_TOKEN", hide_env_values = true)]
        token: String,
        #[command(subcommand)]
        command: AdminCommand,
    },
    /// Print the OpenAPI document.
    Openapi,
}

#[derive(Subcommand, Debug)]
enum StaffCommand {
    /// Make a staff credential; prints its token once.
    Add {
        #[arg(long)]
        db: PathBuf,
        #[arg(long)]
        name: String,
        /// Limit the credential to one project.
        #[arg(long)]
        project: Option<String>,
    },
    /// Revoke a staff credential.
    Revoke {
        #[arg(long)]
        db: PathBuf,
        #[arg(long)]
        staff: String,
    },
}

#[derive(Subcommand, Debug)]
enum AdminCommand {
    Project {
        #[command(subcommand)]
        command: ProjectCommand,
    },
    Owners {
        #[command(subcommand)]
        command: OwnersCommand,
    },
    Onboarding {
        #[command(subcommand)]
        command: OnboardingCommand,
    },
    Otp {
        #[command(subcommand)]
        command: OtpCommand,
    },
    Sync {
        #[command(subcommand)]
        command: SyncCommand,
    },
    /// The documents people agree to: {"kind", "version", "published_at"}.
    Policy {
        #[command(subcommand)]
        command: PolicyCommand,
    },
    /// Privacy requests (erasure, correction, objection) and their answers.
    Privacy {
        #[command(subcommand)]
        command: PrivacyCommand,
    },
    /// The project's audit log of staff actions touching personal data:
    /// {"entries": [...], "verified"?: bool} (with --verify; exit 1 when it does not hold).
    Audit {
        #[arg(long)]
        project: String,
        /// Check every link of the chain.
        #[arg(long)]
        verify: bool,
    },
    /// What the server deletes once past its period (platform staff only).
    Retention {
        #[command(subcommand)]
        command: RetentionCommand,
    },
    Parcel {
        #[command(subcommand)]
        command: ParcelCommand,
    },
    /// Post an announcement to the project or to chosen units: {"announcement_id"}.
    Announce {
        #[arg(long)]
        project: String,
        #[arg(long)]
        title: String,
        /// The text (line breaks allowed); `@FILE` reads it from a UTF-8 file.
        #[arg(long)]
        body: String,
        #[arg(long, value_parser = ["general", "acknowledge"])]
        kind: String,
        /// Only this unit (repeat for more; none: the whole project).
        #[arg(long = "unit")]
        units: Vec<String>,
        /// When it stops counting as unread (RFC 3339).
        #[arg(long)]
        expires: Option<String>,
        /// An image (JPEG, PNG) or PDF to attach, at most 5 MiB.
        #[arg(long)]
        attachment: Option<std::path::PathBuf>,
    },
    /// Invoices: issue one, import a month, confirm a payment, reject a slip.
    Invoice {
        #[command(subcommand)]
        command: InvoiceCommand,
    },
    /// What the units of a project owe.
    Invoices {
        #[command(subcommand)]
        command: InvoicesCommand,
    },
    /// Announcements: who has read them.
    Announcement {
        #[command(subcommand)]
        command: AnnouncementCommand,
    },
    /// Co-owners' meetings: create, agenda, proxies, attendance.
    Meeting {
        #[command(subcommand)]
        command: MeetingCommand,
    },
    /// A unit's standing: months of common fees in arrears.
    Unit {
        #[command(subcommand)]
        command: UnitCommand,
    },
    /// The pickup counter: verify a resident's pass, hand parcels over.
    Pickup {
        #[command(subcommand)]
        command: PickupCommand,
    },
}

#[derive(Subcommand, Debug)]
enum MeetingCommand {
    /// Create a meeting of a project.
    Create {
        #[arg(long)]
        project: String,
        #[arg(long)]
        title: String,
        #[arg(long, value_parser = ["annual", "extraordinary", "committee"])]
        kind: String,
        /// Called again after a failed quorum (no quorum needed).
        #[arg(long)]
        reconvened: bool,
    },
    /// The agenda.
    Item {
        #[command(subcommand)]
        command: ItemCommand,
    },
    /// Proxies.
    Proxy {
        #[command(subcommand)]
        command: ProxyCommand,
    },
    /// Record a unit present in the attendance register.
    Attend {
        #[arg(long)]
        meeting: String,
        #[arg(long)]
        unit: String,
    },
    /// Open the meeting: who votes, with what weight, is frozen now.
    Open {
        #[arg(long)]
        meeting: String,
    },
    /// Close the meeting (its items closed first).
    Close {
        #[arg(long)]
        meeting: String,
    },
}

#[derive(Subcommand, Debug)]
enum ItemCommand {
    /// Add an agenda item with its resolution type.
    Add {
        #[arg(long)]
        meeting: String,
        #[arg(long)]
        title: String,
        #[arg(long, value_parser = ["majority_of_attendees", "half_of_all", "half_of_all_reconvened", "quarter_of_all", "information"])]
        resolution: String,
    },
    /// Open the item's voting.
    Open {
        #[arg(long)]
        item: String,
    },
    /// Close the item's voting: {"tally", "passed", "chain_head"}.
    Close {
        #[arg(long)]
        item: String,
    },
}

#[derive(Subcommand, Debug)]
enum ProxyCommand {
    /// Register the holder (a phone number) as the unit's proxy (at most 3 units each).
    Add {
        #[arg(long)]
        meeting: String,
        #[arg(long)]
        unit: String,
        #[arg(long)]
        holder: String,
    },
}

#[derive(Subcommand, Debug)]
enum UnitCommand {
    /// Record how many months of common fees the unit owes (6 or more: it does not vote
    /// at a general meeting).
    Arrears {
        #[arg(long)]
        unit: String,
        #[arg(long)]
        months: u32,
    },
}

#[derive(Subcommand, Debug)]
enum PickupCommand {
    /// Verify a scanned pickup pass: who holds it and the unit's waiting parcels.
    Verify {
        #[arg(long)]
        payload: String,
    },
    /// Hand parcels of one unit over, against a pass (--payload) or a signature
    /// (--signature FILE.png --collected-by NAME).
    Handover {
        #[arg(long, required_unless_present = "signature")]
        payload: Option<String>,
        #[arg(long = "parcel", required = true)]
        parcels: Vec<String>,
        /// A PNG of the collector's signature.
        #[arg(long, conflicts_with = "payload", requires = "collected_by")]
        signature: Option<PathBuf>,
        /// Who collected, as they wrote it.
        #[arg(long)]
        collected_by: Option<String>,
    },
}

#[derive(Subcommand, Debug)]
enum ParcelCommand {
    /// Log a parcel that arrived for a unit; its residents learn of it by sync.
    Add {
        #[arg(long)]
        unit: String,
        #[arg(long)]
        recipient: String,
        #[arg(long)]
        carrier: String,
        #[arg(long)]
        tracking: Option<String>,
        /// A JPEG of the parcel (at most 2 MiB), attached once it is logged.
        #[arg(long)]
        photo: Option<PathBuf>,
    },
    /// Set or replace a parcel's photo (a JPEG of at most 2 MiB).
    Photo {
        #[arg(long)]
        parcel: String,
        #[arg(long)]
        file: PathBuf,
    },
    /// The parcels of the units you manage, newest first, filtered.
    List {
        #[arg(long)]
        unit: Option<String>,
        #[arg(long, value_parser = ["waiting", "picked_up", "returned"])]
        status: Option<String>,
        /// Part of the recipient's name.
        #[arg(long)]
        recipient: Option<String>,
    },
    /// Record that a waiting parcel went back to the carrier.
    Return {
        #[arg(long)]
        parcel: String,
    },
}

#[derive(Subcommand, Debug)]
enum ProjectCommand {
    Create {
        #[arg(long)]
        name: String,
        #[arg(long, value_enum)]
        kind: KindArg,
    },
    /// The roster of people who may not hold proxies (s.47).
    Role {
        #[command(subcommand)]
        command: RoleCommand,
    },
}

#[derive(Subcommand, Debug)]
enum InvoiceCommand {
    /// Issue one invoice: {"invoice_id", "total"}.
    Add {
        #[arg(long)]
        unit: String,
        /// YYYY-MM
        #[arg(long)]
        period: String,
        /// YYYY-MM-DD
        #[arg(long)]
        due: String,
        /// "DESCRIPTION=SATANG" (repeat for each line).
        #[arg(long = "line", required = true)]
        lines: Vec<String>,
    },
    /// Import a month's invoices for the project (CSV:
    /// unit,period,due,description,amount_satang): all rows or none.
    Import {
        #[arg(long)]
        project: String,
        file: std::path::PathBuf,
    },
    /// Record the payment received (satang): the invoice is paid.
    Confirm {
        #[arg(long)]
        invoice: String,
        #[arg(long)]
        amount: i64,
    },
    /// Reject the slip sent, with a reason for the resident.
    Reject {
        #[arg(long)]
        invoice: String,
        #[arg(long)]
        reason: String,
    },
}

#[derive(Subcommand, Debug)]
enum InvoicesCommand {
    /// Units owing money and their months in arrears.
    Outstanding {
        #[arg(long)]
        project: String,
    },
}

#[derive(Subcommand, Debug)]
enum AnnouncementCommand {
    /// Who opened (general) or acknowledged (acknowledge) it, and the units where nobody
    /// has yet.
    Readers {
        #[arg(long)]
        announcement: String,
    },
}

#[derive(Subcommand, Debug)]
enum RoleCommand {
    /// The person with this phone is a board member, the manager, the spouse of either,
    /// or office staff: they may not hold proxies at the project's meetings.
    Add {
        #[arg(long)]
        project: String,
        #[arg(long)]
        phone: String,
        #[arg(long, value_parser = ["board", "manager", "spouse", "staff"])]
        role: String,
    },
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum KindArg {
    #[value(name = "condominium")]
    Condominium,
    #[value(name = "housing_estate")]
    HousingEstate,
}

impl From<KindArg> for ProjectKind {
    fn from(k: KindArg) -> Self {
        match k {
            KindArg::Condominium => ProjectKind::Condominium,
            KindArg::HousingEstate => ProjectKind::HousingEstate,
        }
    }
}

#[derive(Subcommand, Debug)]
enum OwnersCommand {
    /// Import the owner registry CSV; optionally write one QR PNG per unit.
    Import {
        #[arg(long)]
        project: String,
        file: PathBuf,
        #[arg(long)]
        qr_dir: Option<PathBuf>,
    },
}

#[derive(Subcommand, Debug)]
enum OnboardingCommand {
    /// New onboarding QR for a unit (voids the old one).
    Reissue {
        #[arg(long)]
        unit: String,
    },
}

#[derive(Subcommand, Debug)]
enum OtpCommand {
    /// The last code sent to a destination (development servers only).
    Peek {
        #[arg(long)]
        to: String,
    },
}

#[derive(Subcommand, Debug)]
enum PrivacyCommand {
    /// The open requests of the project's members, soonest deadline first:
    /// {"requests": [{"request_id", "kind", "person_id", "deadline", "status"}]}.
    Requests {
        #[arg(long)]
        project: String,
    },
    /// Answer a request: {"status"}.
    Decide {
        #[arg(long)]
        request: String,
        #[arg(long, conflicts_with = "reject", required_unless_present = "reject")]
        approve: bool,
        #[arg(long)]
        reject: bool,
        /// Required to reject.
        #[arg(long)]
        reason: Option<String>,
    },
}

#[derive(Subcommand, Debug)]
enum PolicyCommand {
    /// Bring a version into force; phones ask their people again (platform staff only).
    Publish {
        /// terms | privacy | marketing
        #[arg(long)]
        kind: String,
        /// e.g. 2026-12 (letters, digits, '.', '-', '_')
        #[arg(long)]
        version: String,
    },
}

#[derive(Subcommand, Debug)]
enum RetentionCommand {
    /// Delete now what is past its period (the server does so every minute):
    /// {"removed": [{"category", "count"}]}.
    Run,
}

#[derive(Subcommand, Debug)]
enum SyncCommand {
    /// Start a new schema epoch: every client resets.
    BumpEpoch,
}

/// What a command prints on success: the JSON document and its human-readable form.
struct Output {
    json: Value,
    text: String,
}

pub fn main() -> ExitCode {
    let args: Vec<OsString> = std::env::args_os().collect();
    let wants_json = args.iter().any(|a| a == "--json");
    let cli = match Cli::try_parse_from(&args) {
        Ok(cli) => cli,
        Err(e) => {
            use clap::error::ErrorKind;
            if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) {
                let _ = e.print();
                return ExitCode::SUCCESS;
            }
            if wants_json {
                print_error_json(&LobbyError::invalid(e.kind().to_string()), &e.to_string());
            } else {
                let _ = e.print();
            }
            return ExitCode::from(2);
        }
    };
    init_tracing(matches!(cli.command, Command::Serve { .. }));
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            report(
                cli.json,
                &LobbyError::internal(format!("cannot start the runtime: {e}")),
            );
            return ExitCode::from(1);
        }
    };
    let json = cli.json;
    match runtime.block_on(run(cli)) {
        Ok(Some(out)) => {
            if json {
                println!("{}", out.json);
            } else {
                println!("{}", out.text);
            }
            // A check that found a problem (`audit --verify` on a broken chain) prints
            // its answer and exits 1.
            if out.json.get("verified") == Some(&Value::Bool(false)) {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            }
        }
        Ok(None) => ExitCode::SUCCESS,
        Err(e) => {
            report(json, &e);
            ExitCode::from(1)
        }
    }
}

fn init_tracing(serving: bool) {
    use tracing_subscriber::EnvFilter;
    let default = if serving { "info" } else { "warn" };
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default));
    let _ = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(filter)
        .try_init();
}

fn print_error_json(e: &LobbyError, message: &str) {
    println!(
        "{}",
        json!({"error": {"code": e.code.as_str(), "message": message}})
    );
}

fn report(json: bool, e: &LobbyError) {
    if json {
        print_error_json(e, &e.message);
    } else {
        eprintln!("error ({}): {}", e.code, e.message);
    }
}

fn server_error(e: impl std::fmt::Display) -> LobbyError {
    LobbyError::new(ErrorCode::ServerError, e.to_string())
}

async fn run(cli: Cli) -> Result<Option<Output>, LobbyError> {
    match cli.command {
        Command::Serve {
            db,
            addr,
            dev,
            otp_webhook,
            key_file,
            parent_pid,
        } => {
            serve(
                ServerConfig {
                    db_path: db,
                    addr,
                    dev,
                    otp_webhook,
                    key_file,
                    limits: Default::default(),
                },
                parent_pid,
            )
            .await?;
            Ok(None)
        }
        Command::Staff { command } => staff(command).map(Some),
        Command::Admin {
            server,
            token,
            command,
        } => admin(&AdminClient::new(&server, &token), command)
            .await
            .map(Some),
        Command::Openapi => {
            print!("{}", crate::openapi::document_json());
            Ok(None)
        }
    }
}

async fn serve(config: ServerConfig, parent_pid: Option<u32>) -> Result<(), LobbyError> {
    // Listen for signals before announcing the address, so a supervisor that stops the
    // server right after reading the first line still gets a clean shutdown.
    let signal =
        shutdown_signal().map_err(|e| server_error(format!("cannot watch signals: {e}")))?;
    let orphaned = parent_gone(parent_pid);
    let stop = async move {
        tokio::select! {
            _ = signal => {}
            _ = orphaned => tracing::info!("the parent process ended"),
        }
    };
    let server = crate::start(config)
        .await
        .map_err(|e| server_error(format!("{e:#}")))?;
    let mut line = json!({ "listening": server.url });
    if let Some(token) = &server.staff_token {
        line["staff_token"] = json!(token);
    }
    println!("{line}");
    use std::io::Write;
    let _ = std::io::stdout().flush();
    stop.await;
    tracing::info!("shutting down");
    server
        .shutdown()
        .await
        .map_err(|e| server_error(format!("{e:#}")))
}

/// Resolves on SIGTERM or SIGINT; the handlers are installed when this returns.
#[cfg(unix)]
fn shutdown_signal() -> std::io::Result<impl std::future::Future<Output = ()>> {
    use tokio::signal::unix::{signal, SignalKind};
    let mut term = signal(SignalKind::terminate())?;
    let mut int = signal(SignalKind::interrupt())?;
    Ok(async move {
        tokio::select! {
            _ = term.recv() => {}
            _ = int.recv() => {}
        }
    })
}

/// Resolves when `parent` is no longer this process's parent (`--parent-pid`): it ended
/// and this process was adopted by another. Checked against the pid the parent passed,
/// not one read at start, so a parent that dies before this process looks is still seen.
/// Never resolves without a pid, or where there is no parent id to watch.
async fn parent_gone(parent: Option<u32>) {
    #[cfg(unix)]
    if let Some(parent) = parent {
        let mut tick = tokio::time::interval(std::time::Duration::from_millis(200));
        loop {
            tick.tick().await;
            // SAFETY: getppid has no preconditions and cannot fail.
            let now = unsafe { libc::getppid() };
            if u32::try_from(now).ok() != Some(parent) {
                return;
            }
        }
    }
    #[cfg(not(unix))]
    let _ = parent;
    std::future::pending::<()>().await
}

#[cfg(not(unix))]
fn shutdown_signal() -> std::io::Result<impl std::future::Future<Output = ()>> {
    Ok(async {
        let _ = tokio::signal::ctrl_c().await;
    })
}

fn staff(command: StaffCommand) -> Result<Output, LobbyError> {
    let open = |db: &Path| SqliteStorage::open(db).map_err(|e| server_error(format!("{e:#}")));
    let now = Utc::now();
    match command {
        StaffCommand::Add { db, name, project } => {
            let name = check_name(&name, "a staff name", MAX_DISPLAY_NAME_CHARS)?;
            let storage = open(&db)?;
            let token = random_secret(32);
            let staff = NewStaff {
                id: uuid::Uuid::now_v7().to_string(),
                name,
                project_id: project,
                token_digest: secret_digest(&token),
            };
            storage.add_staff(&staff, now).map_err(|e| e.error)?;
            Ok(Output {
                text: format!(
                    "staff_id: {}\nstaff_token: {token}\n(the token is shown only once; keep it secret)",
                    staff.id
                ),
                json: json!({"staff_id": staff.id, "staff_token": token}),
            })
        }
        StaffCommand::Revoke { db, staff } => {
            crate::staff::revoke_staff(&open(&db)?, &staff, now).map_err(|e| e.error)?;
            Ok(Output {
                text: format!("revoked staff credential {staff}"),
                json: json!({}),
            })
        }
    }
}

async fn admin(client: &AdminClient, command: AdminCommand) -> Result<Output, LobbyError> {
    match command {
        AdminCommand::Project {
            command: ProjectCommand::Create { name, kind },
        } => {
            let created = client.create_project(&name, kind.into()).await?;
            Ok(Output {
                text: format!("project created: {}", created.project_id),
                json: json!(created),
            })
        }
        AdminCommand::Project {
            command:
                ProjectCommand::Role {
                    command:
                        RoleCommand::Add {
                            project,
                            phone,
                            role,
                        },
                },
        } => {
            let done = client.add_role(&project, &phone, &role).await?;
            Ok(Output {
                text: format!("{role} added to the project's roster: no proxies for them"),
                json: json!(done),
            })
        }
        AdminCommand::Owners {
            command:
                OwnersCommand::Import {
                    project,
                    file,
                    qr_dir,
                },
        } => {
            let csv = std::fs::read(&file)
                .map_err(|e| LobbyError::invalid(format!("cannot read {}: {e}", file.display())))?;
            let imported = client.import_owners(&project, csv).await?;
            let mut doc = json!(imported);
            if let Some(dir) = &qr_dir {
                std::fs::create_dir_all(dir).map_err(|e| {
                    LobbyError::internal(format!("cannot create {}: {e}", dir.display()))
                })?;
                let mut used = HashSet::new();
                if let Some(units) = doc.get_mut("units").and_then(Value::as_array_mut) {
                    for (unit, imported) in units.iter_mut().zip(&imported.units) {
                        let path = dir.join(qr_file_name(&imported.unit, &mut used));
                        let png = lobby_model::qr::render_png(&imported.onboarding_payload)?;
                        std::fs::write(&path, png).map_err(|e| {
                            LobbyError::internal(format!("cannot write {}: {e}", path.display()))
                        })?;
                        unit["qr_png"] = json!(path.display().to_string());
                    }
                }
            }
            let mut text = format!("imported {} unit(s)", imported.units.len());
            for u in doc
                .get("units")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                let field = |k: &str| u.get(k).and_then(Value::as_str).unwrap_or("").to_string();
                text.push_str(&format!(
                    "\n{}\t{}\tunit_id={}\t{}",
                    field("unit"),
                    field("owner"),
                    field("unit_id"),
                    match u.get("qr_png").and_then(Value::as_str) {
                        Some(p) => format!("qr={p}"),
                        None => field("onboarding_payload"),
                    }
                ));
            }
            Ok(Output { text, json: doc })
        }
        AdminCommand::Onboarding {
            command: OnboardingCommand::Reissue { unit },
        } => {
            let r = client.reissue_onboarding(&unit).await?;
            Ok(Output {
                text: format!("new onboarding payload: {}", r.onboarding_payload),
                json: json!(r),
            })
        }
        AdminCommand::Otp {
            command: OtpCommand::Peek { to },
        } => {
            let p = client.peek_otp(&to).await?;
            Ok(Output {
                text: format!("code: {}", p.code),
                json: json!(p),
            })
        }
        AdminCommand::Audit { project, verify } => {
            let log = client.audit(&project).await?;
            let mut text = format!("{} entr(ies) in the audit log", log.entries.len());
            for e in &log.entries {
                text.push_str(&format!(
                    "\n  {:>4} {} {} {} {}",
                    e.seq,
                    e.at.format("%Y-%m-%d %H:%M:%S"),
                    e.staff_id,
                    e.action,
                    e.subject
                ));
            }
            let mut json = json!({"project_id": log.project_id, "entries": log.entries});
            if verify {
                json["verified"] = json!(log.verified);
                if !log.verified {
                    json["broken_at"] = json!(log.broken_at);
                    json["why"] = json!(log.why);
                }
                text.push_str(&match (log.verified, &log.why) {
                    (true, _) => {
                        "\nthe chain holds: no entry was changed, dropped or reordered".to_string()
                    }
                    (false, why) => format!(
                        "\nTHE CHAIN DOES NOT HOLD at entry {}: {}",
                        log.broken_at.unwrap_or(0),
                        why.as_deref().unwrap_or("")
                    ),
                });
            }
            Ok(Output { text, json })
        }
        AdminCommand::Privacy {
            command: PrivacyCommand::Requests { project },
        } => {
            let list = client.privacy_requests(&project).await?;
            let mut text = format!("{} open request(s):", list.requests.len());
            for r in &list.requests {
                text.push_str(&format!(
                    "\n  {} {} from {} — answer by {}",
                    r.request_id,
                    r.kind,
                    r.name,
                    r.deadline.format("%Y-%m-%d")
                ));
            }
            Ok(Output {
                text,
                json: json!(list),
            })
        }
        AdminCommand::Privacy {
            command:
                PrivacyCommand::Decide {
                    request,
                    approve,
                    reject: _,
                    reason,
                },
        } => {
            let d = client
                .decide_privacy_request(&request, approve, reason.as_deref())
                .await?;
            Ok(Output {
                text: format!("request {}: {}", d.request_id, d.status),
                json: json!(d),
            })
        }
        AdminCommand::Policy {
            command: PolicyCommand::Publish { kind, version },
        } => {
            let p = client.publish_policy(&kind, &version).await?;
            Ok(Output {
                text: format!("{} version {} is in force", p.kind, p.version),
                json: json!(p),
            })
        }
        AdminCommand::Retention {
            command: RetentionCommand::Run,
        } => {
            let run = client.run_retention().await?;
            let gone: Vec<String> = run
                .removed
                .iter()
                .filter(|r| r.count > 0)
                .map(|r| format!("\n  {}: {}", r.category, r.count))
                .collect();
            let text = if gone.is_empty() {
                "nothing was past its retention period".to_string()
            } else {
                format!("removed:{}", gone.concat())
            };
            Ok(Output {
                text,
                json: json!(run),
            })
        }
        AdminCommand::Sync {
            command: SyncCommand::BumpEpoch,
        } => {
            let b = client.bump_epoch().await?;
            Ok(Output {
                text: format!("sync epoch is now {}", b.epoch),
                json: json!(b),
            })
        }
        AdminCommand::Parcel {
            command:
                ParcelCommand::Add {
                    unit,
                    recipient,
                    carrier,
                    tracking,
                    photo,
                },
        } => {
            // Read before anything is logged: a missing file logs no parcel.
            let jpeg = photo.as_deref().map(read_file).transpose()?;
            let added = client
                .add_parcel(&ParcelAdd {
                    unit_id: unit,
                    recipient,
                    carrier,
                    tracking,
                })
                .await?;
            let mut doc = json!(added);
            let mut text = format!("parcel {} logged", added.parcel_id);
            if let Some(jpeg) = jpeg {
                let set = client.set_parcel_photo(&added.parcel_id, jpeg).await?;
                doc["file_id"] = json!(set.file_id);
                text.push_str(&format!(" with photo {}", set.file_id));
            }
            Ok(Output { text, json: doc })
        }
        AdminCommand::Parcel {
            command: ParcelCommand::Photo { parcel, file },
        } => {
            let set = client.set_parcel_photo(&parcel, read_file(&file)?).await?;
            Ok(Output {
                text: format!("parcel {parcel} has photo {}", set.file_id),
                json: json!(set),
            })
        }
        AdminCommand::Parcel {
            command:
                ParcelCommand::List {
                    unit,
                    status,
                    recipient,
                },
        } => {
            let list = client
                .list_parcels(unit.as_deref(), status.as_deref(), recipient.as_deref())
                .await?;
            let mut text = format!("{} parcel(s)", list.parcels.len());
            if list.truncated {
                text.push_str(" (more match: narrow the filter)");
            }
            for p in &list.parcels {
                text.push_str(&format!(
                    "\n  {}  {}  {} ({})  {}",
                    p.id,
                    p.status,
                    p.recipient,
                    p.carrier,
                    p.logged_at.to_rfc3339()
                ));
            }
            Ok(Output {
                text,
                json: json!(list),
            })
        }
        AdminCommand::Parcel {
            command: ParcelCommand::Return { parcel },
        } => {
            let returned = client.return_parcel(&parcel).await?;
            Ok(Output {
                text: format!("parcel {} returned to the carrier", returned.parcel_id),
                json: json!(returned),
            })
        }
        AdminCommand::Meeting { command } => meeting(client, command).await,
        AdminCommand::Announce {
            project,
            title,
            body,
            kind,
            units,
            expires,
            attachment,
        } => {
            let attachment = attachment
                .map(|p| {
                    std::fs::read(&p).map_err(|e| {
                        LobbyError::invalid(format!("cannot read {}: {e}", p.display()))
                    })
                })
                .transpose()?;
            let body = match body.strip_prefix('@') {
                Some(path) => std::fs::read_to_string(path).map_err(|e| {
                    LobbyError::invalid(format!("cannot read the body from {path}: {e}"))
                })?,
                None => body,
            };
            // Checked before posting (the server checks again), so a file it would refuse
            // does not leave an announcement posted without it.
            if let Some(bytes) = &attachment {
                lobby_model::domain::files::check_attachment(bytes)?;
            }
            let expires_at = expires
                .map(|e| {
                    chrono::DateTime::parse_from_rfc3339(&e)
                        .map(|t| t.with_timezone(&chrono::Utc))
                        .map_err(|_| LobbyError::invalid("--expires is an RFC 3339 time"))
                })
                .transpose()?;
            let posted = client
                .announce(&lobby_model::protocol::AnnouncementPost {
                    project_id: project,
                    title,
                    body,
                    kind,
                    unit_ids: units,
                    expires_at,
                })
                .await?;
            if let Some(bytes) = attachment {
                client
                    .set_announcement_attachment(&posted.announcement_id, bytes)
                    .await?;
            }
            Ok(Output {
                text: format!("announcement {} posted", posted.announcement_id),
                json: json!(posted),
            })
        }
        AdminCommand::Invoice { command } => invoice(client, command).await,
        AdminCommand::Invoices {
            command: InvoicesCommand::Outstanding { project },
        } => {
            let o = client.outstanding(&project).await?;
            let mut text = format!("{} unit(s) owe money:", o.units.len());
            for u in &o.units {
                text.push_str(&format!(
                    "\n  {}: {} satang, {} month(s) in arrears",
                    u.unit, u.unpaid_satang, u.months_in_arrears
                ));
            }
            Ok(Output {
                text,
                // INTERFACE.md's names.
                json: json!({"units": o.units.iter().map(|u| json!({
                    "unit_id": u.unit_id,
                    "unit": u.unit,
                    "unpaid": u.unpaid_satang,
                    "months_in_arrears": u.months_in_arrears,
                })).collect::<Vec<_>>()}),
            })
        }
        AdminCommand::Announcement {
            command: AnnouncementCommand::Readers { announcement },
        } => {
            let r = client.announcement_readers(&announcement).await?;
            let mut text = format!(
                "{} {} (by unit), {} unit(s) not yet:",
                r.readers.len(),
                if r.kind == "acknowledge" {
                    "acknowledged"
                } else {
                    "opened"
                },
                r.units_not_read.len()
            );
            for u in &r.units_not_read {
                text.push_str(&format!("\n  {}", u.unit));
            }
            // INTERFACE.md's names: opening an acknowledge-kind announcement is its
            // acknowledgement, so its readers are listed under both.
            let readers: Vec<_> = r
                .readers
                .iter()
                .map(|x| {
                    json!({"unit_id": x.unit_id, "unit": x.unit, "person_id": x.person_id,
                           "name": x.name, "at": x.at})
                })
                .collect();
            let acknowledged = if r.kind == "acknowledge" {
                readers.clone()
            } else {
                Vec::new()
            };
            Ok(Output {
                text,
                json: json!({
                    "announcement_id": r.announcement_id,
                    "kind": r.kind,
                    "read": readers,
                    "acknowledged": acknowledged,
                    "not_yet": r.units_not_read.iter().map(|u| &u.unit_id).collect::<Vec<_>>(),
                }),
            })
        }
        AdminCommand::Unit {
            command: UnitCommand::Arrears { unit, months },
        } => {
            let done = client.set_arrears(&unit, months).await?;
            Ok(Output {
                text: format!("unit {unit}: {months} month(s) in arrears"),
                json: json!(done),
            })
        }
        AdminCommand::Pickup {
            command: PickupCommand::Verify { payload },
        } => {
            let v = client.verify_pickup(&payload).await?;
            let mut text = format!(
                "pass of {} for unit {}, valid until {}; {} waiting parcel(s)",
                v.person_name,
                v.unit_number,
                v.valid_until.to_rfc3339(),
                v.parcels.len()
            );
            for p in &v.parcels {
                text.push_str(&format!(
                    "\n  {}  {} ({})",
                    p.parcel_id, p.recipient, p.carrier
                ));
            }
            Ok(Output {
                text,
                json: json!(v),
            })
        }
        AdminCommand::Pickup {
            command:
                PickupCommand::Handover {
                    payload,
                    parcels,
                    signature,
                    collected_by,
                },
        } => {
            let signature_png = match signature {
                Some(path) => {
                    let bytes = std::fs::read(&path).map_err(|e| {
                        LobbyError::invalid(format!("cannot read {}: {e}", path.display()))
                    })?;
                    Some(base64::engine::general_purpose::STANDARD.encode(bytes))
                }
                None => None,
            };
            let done = client
                .hand_over(&PickupHandover {
                    payload,
                    parcel_ids: parcels,
                    signature_png,
                    collected_by,
                })
                .await?;
            Ok(Output {
                text: format!(
                    "{} parcel(s) handed over ({})",
                    done.handed_over.len(),
                    done.method
                ),
                json: json!(done),
            })
        }
    }
}

fn read_file(path: &Path) -> Result<Vec<u8>, LobbyError> {
    std::fs::read(path)
        .map_err(|e| LobbyError::invalid(format!("cannot read {}: {e}", path.display())))
}

async fn invoice(client: &AdminClient, command: InvoiceCommand) -> Result<Output, LobbyError> {
    match command {
        InvoiceCommand::Add {
            unit,
            period,
            due,
            lines,
        } => {
            let lines = lines
                .iter()
                .map(|l| {
                    let c = lobby_model::domain::invoices::parse_line_arg(l)?;
                    Ok(lobby_model::protocol::InvoiceLineRecord {
                        description: c.description,
                        amount_satang: c.amount_satang,
                    })
                })
                .collect::<Result<Vec<_>, LobbyError>>()?;
            let added = client
                .add_invoice(&lobby_model::protocol::InvoiceAdd {
                    unit_id: unit,
                    period,
                    due,
                    lines,
                    total_satang: None,
                })
                .await?;
            Ok(Output {
                text: format!(
                    "invoice {} issued: {} satang",
                    added.invoice_id, added.total_satang
                ),
                json: json!({"invoice_id": added.invoice_id, "total": added.total_satang}),
            })
        }
        InvoiceCommand::Import { project, file } => {
            let csv = std::fs::read(&file)
                .map_err(|e| LobbyError::invalid(format!("cannot read {}: {e}", file.display())))?;
            let done = client.import_invoices(&project, csv).await?;
            Ok(Output {
                text: format!("{} invoice(s) imported", done.invoices.len()),
                json: json!({"invoices": done.invoices.iter().map(|i| json!({
                    "invoice_id": i.invoice_id, "unit": i.unit, "period": i.period,
                    "total": i.total_satang,
                })).collect::<Vec<_>>()}),
            })
        }
        InvoiceCommand::Confirm { invoice, amount } => {
            let done = client.confirm_invoice(&invoice, amount).await?;
            Ok(Output {
                text: "payment recorded: the invoice is paid".into(),
                json: json!(done),
            })
        }
        InvoiceCommand::Reject { invoice, reason } => {
            let done = client.reject_invoice(&invoice, &reason).await?;
            Ok(Output {
                text: "slip rejected; the resident sees the reason".into(),
                json: json!(done),
            })
        }
    }
}

async fn meeting(client: &AdminClient, command: MeetingCommand) -> Result<Output, LobbyError> {
    match command {
        MeetingCommand::Create {
            project,
            title,
            kind,
            reconvened,
        } => {
            let made = client
                .create_meeting(&MeetingCreate {
                    project_id: project,
                    title,
                    kind,
                    reconvened,
                })
                .await?;
            Ok(Output {
                text: format!("meeting {} created", made.meeting_id),
                json: json!(made),
            })
        }
        MeetingCommand::Item {
            command:
                ItemCommand::Add {
                    meeting,
                    title,
                    resolution,
                },
        } => {
            let added = client
                .add_item(&meeting, &ItemAdd { title, resolution })
                .await?;
            Ok(Output {
                text: format!("item {} added", added.item_id),
                json: json!(added),
            })
        }
        MeetingCommand::Proxy {
            command:
                ProxyCommand::Add {
                    meeting,
                    unit,
                    holder,
                },
        } => {
            let done = client
                .add_proxy(
                    &meeting,
                    &ProxyAdd {
                        unit_id: unit.clone(),
                        holder,
                    },
                )
                .await?;
            Ok(Output {
                text: format!("proxy registered for unit {unit}"),
                json: json!(done),
            })
        }
        MeetingCommand::Open { meeting } => {
            let done = client.meeting_action(&meeting, "open").await?;
            Ok(Output {
                text: format!("meeting {meeting} open; who votes is frozen"),
                json: json!(done),
            })
        }
        MeetingCommand::Close { meeting } => {
            let done = client.meeting_action(&meeting, "close").await?;
            Ok(Output {
                text: format!("meeting {meeting} closed"),
                json: json!(done),
            })
        }
        MeetingCommand::Item {
            command: ItemCommand::Open { item },
        } => {
            let done = client.open_item(&item).await?;
            Ok(Output {
                text: format!("item {item} open for voting"),
                json: json!(done),
            })
        }
        MeetingCommand::Item {
            command: ItemCommand::Close { item },
        } => {
            let closed = client.close_item(&item).await?;
            // INTERFACE.md: weights as JSON numbers written exactly.
            let mut tally = closed.tally.clone();
            if let Some(map) = tally.as_object_mut() {
                for v in map.values_mut() {
                    if let Some(w) = v.as_str().and_then(|s| Weight::parse(s).ok()) {
                        *v = w.to_json_number();
                    }
                }
            }
            Ok(Output {
                text: format!(
                    "item {item} closed: {} (approve {}, disapprove {}, abstain {}, did not vote {}; attending {} of {}; quorum {})",
                    if closed.passed { "passed" } else { "not passed" },
                    tally["approve"],
                    tally["disapprove"],
                    tally["abstain"],
                    tally["did_not_vote"],
                    tally["attending"],
                    tally["all_votes"],
                    tally["quorum"]
                ),
                json: json!({"tally": tally, "passed": closed.passed, "chain_head": closed.chain_head}),
            })
        }
        MeetingCommand::Attend { meeting, unit } => {
            let done = client.attend(&meeting, &unit).await?;
            Ok(Output {
                text: format!("unit {unit} recorded present"),
                json: json!(done),
            })
        }
    }
}

/// A file name for a unit's QR: ASCII letters, digits, `-` and `_` kept, everything else
/// `_` (so `12/345` cannot climb directories), unique within one import.
fn qr_file_name(unit: &str, used: &mut HashSet<String>) -> String {
    let mut base: String = unit
        .chars()
        .take(80)
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if base.is_empty() {
        base = "unit".to_string();
    }
    let mut name = format!("{base}.png");
    let mut n = 2;
    while !used.insert(name.clone()) {
        name = format!("{base}-{n}.png");
        n += 1;
    }
    name
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn qr_file_names_are_safe_and_unique() {
        let mut used = HashSet::new();
        assert_eq!(qr_file_name("12/345", &mut used), "12_345.png");
        assert_eq!(qr_file_name("12_345", &mut used), "12_345-2.png");
        assert_eq!(qr_file_name("../..", &mut used), "_____.png");
        assert_eq!(qr_file_name("", &mut used), "unit.png");
    }

    #[test]
    fn command_line_parses_the_interface() {
        Cli::try_parse_from([
            "lobby-server",
            "admin",
            "--server",
            "http://x",
            "--token",
            "t",
            "project",
            "create",
            "--name",
            "N",
            "--kind",
            "housing_estate",
            "--json",
        ])
        .unwrap();
        Cli::try_parse_from(["lobby-server", "serve", "--addr", "127.0.0.1:0", "--dev"]).unwrap();
        assert!(Cli::try_parse_from([
            "lobby-server",
            "admin",
            "--server",
            "x",
            "--token",
            "t",
            "project",
            "create",
            "--name",
            "N",
            "--kind",
            "castle"
        ])
        .is_err());
    }
}
