//! Command-line grammar (INTERFACE.md). Names here are a contract: extend, never rename.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

#[derive(Parser, Debug)]
#[command(
    name = "lobby",
    version,
    about = "Lobby resident app core, as a terminal shell"
)]
pub struct Cli {
    /// The device: its database, settings and secrets.
    #[arg(long, global = true, env = "LOBBY_HOME")]
    pub home: Option<PathBuf>,
    /// Server base URL; remembered in the home after first use.
    #[arg(long, global = true)]
    pub server: Option<String>,
    /// Print exactly one JSON document on stdout.
    #[arg(long, global = true)]
    pub json: bool,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Onboard as an owner with the QR the juristic office gave you.
    #[command(subcommand)]
    Onboard(Onboard),
    /// Sign in.
    #[command(subcommand)]
    Login(Login),
    /// Sign out (tokens and local data of the account leave this device).
    Logout {
        /// Also end the sessions on every other device.
        #[arg(long)]
        everywhere: bool,
        /// Someone else used your account: also report it to the juristic office (they
        /// must look into it within 72 hours). Needs --everywhere and the network.
        #[arg(long, requires = "everywhere")]
        report_misuse: bool,
        /// What happened, in your words (with --report-misuse).
        #[arg(long, requires = "report_misuse")]
        detail: Option<String>,
    },
    /// Your signed-in devices: which device, when last seen, and this one (asks the
    /// server).
    Sessions,
    /// Your units across projects, and the current one.
    Units,
    /// Make UNIT_ID the current unit.
    Use { unit_id: String },
    /// Push queued changes, pull the server's.
    Sync,
    /// Sync state from this device (no network).
    Status,
    /// Your profile; `profile set` edits the contact fields.
    Profile {
        #[command(subcommand)]
        action: Option<ProfileAction>,
    },
    /// Invitation codes for residents and tenants (owners only), and accepting one.
    #[command(subcommand)]
    Invite(Invite),
    /// Residents and tenants of the current unit; `members remove PERSON_ID`.
    Members {
        #[command(subcommand)]
        action: Option<MembersAction>,
    },
    /// Parcels logged for your units (from this device; works offline).
    Parcels {
        #[arg(long, value_parser = ["waiting", "picked_up", "returned"])]
        status: Option<String>,
        /// Part of the recipient's name.
        #[arg(long)]
        recipient: Option<String>,
    },
    /// A pickup pass for the counter, made with no network (valid about a minute).
    PickupQr {
        /// Also write the QR as a PNG here.
        #[arg(long)]
        out: Option<std::path::PathBuf>,
        /// The unit (default: the current unit).
        #[arg(long)]
        unit: Option<String>,
    },
    /// Save a parcel's photo to a file (fetched once, then from this device, offline too).
    ParcelPhoto {
        parcel_id: String,
        /// Where to write the JPEG.
        #[arg(long)]
        out: std::path::PathBuf,
    },
    /// The office's announcements for a unit (syncs first when it can); listing them
    /// counts as opening and leaving the list: general ones are read after it.
    Announcements {
        /// The unit (default: the current unit).
        #[arg(long)]
        unit: Option<String>,
        #[command(subcommand)]
        action: Option<AnnouncementsAction>,
    },
    /// A unit's invoices (syncs first when it can); `invoices pay ID --slip FILE`.
    Invoices {
        /// The unit (default: the current unit).
        #[arg(long)]
        unit: Option<String>,
        #[command(subcommand)]
        action: Option<InvoicesAction>,
    },
    /// Everything held about you — the server's part and what only this phone holds —
    /// as one JSON document (docs/export.md). Needs the network and a sign-in from the
    /// last 10 minutes.
    Export {
        /// Where to write it (created or replaced; readable by you only).
        #[arg(long)]
        out: std::path::PathBuf,
    },
    /// Your answers to the terms, the privacy policy and marketing, and what to answer
    /// now (syncs first when it can).
    Consents,
    /// Agree to or withdraw from the terms, the privacy policy or marketing; offline,
    /// queued.
    #[command(subcommand)]
    Consent(ConsentCmd),
    /// Privacy requests to the office: erasure, correction, objection (answered within
    /// 30 days).
    #[command(subcommand)]
    Privacy(PrivacyCmd),
    /// Co-owner meetings of your projects (and those where you hold a proxy).
    Meetings,
    /// One meeting: its agenda, your votes, and each closed item's result.
    #[command(subcommand)]
    Meeting(MeetingCmd),
    /// Vote on an open agenda item, for every unit you vote for or one (`--unit`);
    /// changeable until the item closes. Offline, it is queued and sent later.
    Vote {
        item_id: String,
        #[arg(value_parser = ["approve", "disapprove", "abstain"])]
        choice: String,
        #[arg(long)]
        unit: Option<String>,
    },
    /// Your vote receipts, checked against the meeting's published ballot log.
    #[command(subcommand)]
    Receipts(ReceiptsCmd),
    /// Delete everything this device holds for the account (its sign-in is ended on the
    /// server first, when the server can be reached).
    Wipe,
    /// The whole journey against an embedded server on a temporary database.
    Demo,
}

#[derive(Subcommand, Debug)]
pub enum Onboard {
    /// Read an onboarding QR (its text, or --image with a photo of it).
    Scan(ScanArgs),
    /// Confirm the registration, choose a password, get an OTP.
    Complete(CompleteArgs),
    /// Verify the OTP: the account (or the added unit) is created.
    Verify {
        #[arg(long)]
        code: String,
    },
}

#[derive(Args, Debug)]
pub struct ScanArgs {
    /// The QR text (LOBBY:ONBOARD:1:...).
    #[arg(required_unless_present = "image", conflicts_with = "image")]
    pub payload: Option<String>,
    /// A PNG or JPEG photo of the QR.
    #[arg(long)]
    pub image: Option<PathBuf>,
}

#[derive(Args, Debug)]
pub struct CompleteArgs {
    #[arg(long)]
    pub payload: String,
    /// Phone to verify (not needed when this device is already signed in).
    #[arg(long)]
    pub phone: Option<String>,
    #[arg(long)]
    pub password: Option<String>,
    #[arg(long)]
    pub email: Option<String>,
    /// Display name (defaults to the registry name).
    #[arg(long)]
    pub name: Option<String>,
    /// Agree to a document in force (terms, privacy or marketing), in the version the
    /// preview shows; repeat for each. Recorded with the account.
    #[arg(long = "agree", value_name = "KIND")]
    pub agree: Vec<String>,
    /// Refuse a document in force (terms, privacy or marketing); repeat for each.
    #[arg(long = "decline", value_name = "KIND")]
    pub decline: Vec<String>,
}

#[derive(Subcommand, Debug)]
pub enum Login {
    /// Send a one-time code to a phone or e-mail.
    Otp {
        #[arg(long)]
        to: String,
    },
    /// Verify the one-time code.
    Verify {
        #[arg(long)]
        code: String,
    },
    /// Sign in with a password.
    Password {
        #[arg(long)]
        to: String,
        #[arg(long)]
        password: String,
    },
}

#[derive(Subcommand, Debug)]
pub enum ProfileAction {
    /// Change your display name (queued when offline), or ask for your login e-mail or
    /// phone number to change (a code goes to the new one; then `profile verify-email` or
    /// `profile verify-phone`). A new e-mail or phone needs a sign-in from the last 10
    /// minutes.
    Set {
        #[arg(long)]
        name: Option<String>,
        #[arg(long, conflicts_with = "phone")]
        email: Option<String>,
        /// Any common Thai form: 081-234-5678, 0812345678, +66812345678.
        #[arg(long)]
        phone: Option<String>,
    },
    /// Enter the code sent to the new e-mail address; it becomes your login e-mail.
    VerifyEmail {
        #[arg(long)]
        code: String,
    },
    /// Enter the code sent to the new phone number; codes and sign-in go there from now
    /// on, and the old number is told.
    VerifyPhone {
        #[arg(long)]
        code: String,
    },
}

#[derive(Subcommand, Debug)]
pub enum Invite {
    /// Make a code for the current unit (at most 5 residents, tenants and pending codes).
    Create {
        #[arg(long, value_parser = ["resident", "tenant"])]
        role: String,
        /// Also write the code as a QR picture.
        #[arg(long)]
        qr: Option<PathBuf>,
        /// Another of your units instead of the current one.
        #[arg(long)]
        unit: Option<String>,
    },
    /// Codes of the current unit and their status.
    List {
        #[arg(long)]
        unit: Option<String>,
    },
    /// Revoke a pending code.
    Revoke { code: String },
    /// Accept a code (typed, or --image with a photo of its QR); then `lobby login verify`.
    Accept {
        #[arg(required_unless_present = "image", conflicts_with = "image")]
        code: Option<String>,
        #[arg(long)]
        image: Option<PathBuf>,
        #[arg(long)]
        phone: String,
        #[arg(long)]
        name: Option<String>,
    },
}

#[derive(Subcommand, Debug)]
pub enum MembersAction {
    /// Remove a resident or tenant from the current unit.
    Remove { person_id: String },
}

#[derive(Subcommand, Debug)]
pub enum PrivacyCmd {
    /// File a request: erasure (needs a sign-in of the last 10 minutes), correction (say
    /// what is wrong with --detail), objection. Offline, queued.
    Request {
        /// erasure | correction | objection
        kind: String,
        #[arg(long)]
        detail: Option<String>,
    },
    /// Your requests with their deadline, status and the office's answer.
    Requests,
}

#[derive(Subcommand, Debug)]
pub enum ConsentCmd {
    /// Agree (to the version in force unless --version says which).
    Give {
        /// terms | privacy | marketing
        #[arg(long)]
        kind: String,
        #[arg(long)]
        version: Option<String>,
    },
    /// Withdraw or refuse: recorded, not deleted.
    Withdraw {
        /// terms | privacy | marketing
        #[arg(long)]
        kind: String,
        /// Default: the version last answered, or the one in force.
        #[arg(long)]
        version: Option<String>,
    },
}

#[derive(Subcommand, Debug)]
pub enum InvoicesAction {
    /// Pay with a photo or screenshot of the transfer slip (shrunk on this device; sent
    /// when the server can be reached).
    Pay {
        invoice_id: String,
        #[arg(long)]
        slip: std::path::PathBuf,
    },
}

#[derive(Subcommand, Debug)]
pub enum AnnouncementsAction {
    /// Read one announcement (an acknowledge kind is acknowledged; staff see it).
    Open {
        announcement_id: String,
        /// Also save its attachment (image or PDF) here.
        #[arg(long)]
        save_attachment: Option<std::path::PathBuf>,
    },
}

#[derive(Subcommand, Debug)]
pub enum MeetingCmd {
    /// The meeting's agenda, your votes, results of closed items.
    Show { meeting_id: String },
}

#[derive(Subcommand, Debug)]
pub enum ReceiptsCmd {
    /// Download the ballot log, check every link, find your receipts, recompute each
    /// closed item's tally; exits 1 when anything does not match.
    Verify { meeting_id: String },
}
