//! lobby-core: the phone's core of Lobby's resident app.
//!
//! Layout (see DESIGN.md §3 and docs/architecture.md): the rules and the wire types come
//! from `lobby-model` (re-exported here as [`domain`] and [`protocol`]); this crate adds
//! the phone's I/O edges — `store/` (encrypted SQLite replica and outbox), `api/` (HTTP
//! client), `sync/` (the sync engine, pull, push, scheduler) and `secrets/`.
//! [`Lobby`] is the one object an app holds.

#[cfg(feature = "uniffi")]
uniffi::setup_scaffolding!();

pub use lobby_model::{domain, protocol, scope};

pub mod announcements;
pub mod api;
pub mod auth;
mod capability;
mod client;
mod device;
pub mod error;
#[cfg(feature = "uniffi")]
mod ffi_types;
mod files;
pub mod invites;
pub mod invoices;
pub mod meetings;
pub mod parcels;
pub mod privacy;
pub mod profile;
pub mod qr;
pub mod secrets;
pub mod store;
pub mod sync;
pub mod units;

pub use announcements::{Announcement, AnnouncementsClient, Attachment, UnitUnread};
pub use auth::{AuthClient, MisuseReport, OtpChallenge, ScannedOnboarding, SessionInfo, SignedIn};
pub use client::{Lobby, LobbyConfig};
pub use error::{ErrorCode, LobbyError, Result};
pub use invites::{Invite, InviteRow, InvitesClient, LocalInviteStatus, MemberRow};
pub use invoices::{Invoice, InvoiceLine, InvoicesClient};
pub use meetings::{
    AgendaItem, ItemResult, ItemVerification, Meeting, MeetingDetail, MeetingsClient, MyVote,
    QueuedVote, ReceiptsReport, RefusedVote, VoteState, VotingUnit,
};
pub use parcels::{
    CustodyEvent, CustodyStep, Parcel, ParcelFilter, ParcelPhoto, ParcelStatus, ParcelsClient,
    PickupPass,
};
pub use privacy::{Consent, ConsentsClient, PrivacyClient, PrivacyRequest};
pub use profile::{Profile, ProfileClient};
pub use sync::{SyncReport, SyncState, SyncStatus};
pub use units::{UnitSummary, UnitsClient};
