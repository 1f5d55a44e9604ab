//! lobby-ffi: the uniffi facade over `lobby-core` for the Android (Kotlin) and iOS (Swift)
//! shells.
//!
//! This crate adds no behaviour. Each exported method is a short delegation to
//! [`lobby_core::Lobby`] or one of its sub-clients, and the objects mirror the core's:
//!
//! - [`LobbyClient`] ([`client`]): the one object an app holds — opened with the
//!   [`SecretStore`] the app implements (Android Keystore, iOS Keychain) — and what is not
//!   an area: `shutdown`, `is_shut_down`, `server_url`, `set_server_url`, `wipe`, and sync
//!   ([`sync`]: `sync`, `start_background_sync`, `status`, `subscribe_sync_state` with
//!   its [`SyncStateListener`] and [`TaskHandle`], `outbox`). It hands out one object per
//!   area:
//!   - `auth()` → [`AuthClient`] ([`auth`]): onboarding by QR (`scan_onboarding`,
//!     `scan_onboarding_image`, `start_onboarding`, `claim_onboarding`,
//!     `verify_onboarding`), `login_otp`, `verify_login`, `login_password`, `logout`,
//!     `is_signed_in`;
//!   - `units()` → [`UnitsClient`] ([`units`]): `list`, `current`, `set_current`;
//!   - `profile()` → [`ProfileClient`] ([`profile`]): `get`, `update`;
//!   - `invites()` → [`InvitesClient`] ([`invites`]): `create`, `list`, `revoke`,
//!     `members`, `remove_member`, `accept`, `accept_image`;
//!   - `parcels()` → [`ParcelsClient`](parcels::ParcelsClient) ([`parcels`]): `list`,
//!     `new_arrivals`, `mark_announced`, `watch_arrivals`, `pickup_pass`,
//!     `pickup_qr_png`, `photo`;
//!   - `meetings()` → [`MeetingsClient`] ([`meetings`]): `list`, `show`, `vote`,
//!     `verify_receipts`, `watch` (with its [`MeetingsListener`]);
//!   - `announcements()` → [`AnnouncementsClient`] ([`announcements`]): `list`,
//!     `list_left`, `open`, `attachment`, `unread_counts`, `watch_unread` (with its
//!     [`UnreadListener`]);
//!   - `invoices()` → [`InvoicesClient`] ([`invoices`]): `list`, `pay`;
//!   - `consents()` → [`ConsentsClient`] ([`privacy`]): `list`, `to_ask`, `give`,
//!     `withdraw`;
//!   - `privacy()` → [`PrivacyClient`] ([`privacy`]): `file_request`, `requests`;
//! - free functions the app calls without a client: [`qr`] (render and read QR codes),
//!   [`checks`] (password policy, Thai phone numbers) and the invitation code's helpers in
//!   [`invites`];
//! - [`records`]: the few records whose shape differs from the core's (each says why);
//!   every other record and enum is the core's or lobby-model's own, deriving the uniffi
//!   traits behind their `uniffi` feature;
//! - [`errors`]: [`LobbyError`], the one error type, carrying the core's stable
//!   `ErrorCode` (Kotlin sees it as `LobbyException`);
//! - [`android_tls`]: not uniffi — the one plain JNI function, `LobbyTls.init(context)`,
//!   with which the Android shell hands the platform's certificate verifier the app's
//!   `Context` before the first `https://` connection (a no-op elsewhere).
//!
//! What a caller must know: network methods are `async` (Kotlin `suspend`, Swift `async`)
//! and run on the core's own runtime; local reads are synchronous, work offline and are
//! fast enough for the main thread only in small amounts. Call `start_background_sync`
//! once at start-up, or queued changes wait for the next explicit `sync`. Types the core
//! exports itself come from its own uniffi components: lobby-model's (`ErrorCode`, `Role`,
//! `ProjectKind`, `Weight`, the voting `Choice` and `Tally`; Kotlin package
//! `th.co.lobby.model`) and lobby-core's (`SyncState`, `OutboxState`, `LocalInviteStatus`,
//! `UnitSummary`, `SignedIn`, `OtpChallenge`, `Profile`, `SyncStatus`, `SyncReport`,
//! `MemberRow`, the parcels' records, and the meetings' `Meeting`, `MeetingDetail`,
//! `AgendaItem`, `MyVote`, `VoteState`, `RefusedVote`, `ItemResult`, `VotingUnit`,
//! `QueuedVote`, `ReceiptsReport`, `ItemVerification`, the announcements' `Announcement`,
//! `Attachment`, `UnitUnread`, and the invoices' `Invoice`, `InvoiceLine`;
//! `th.co.lobby.core`; `AnnouncementKind` and `InvoiceStatus` are lobby-model's).

uniffi::setup_scaffolding!();

pub mod android_tls;
pub mod announcements;
pub mod auth;
pub mod checks;
pub mod client;
pub mod errors;
pub mod invites;
pub mod invoices;
pub mod meetings;
pub mod parcels;
pub mod privacy;
pub mod profile;
pub mod qr;
pub mod records;
pub mod sync;
pub mod units;

pub use announcements::{AnnouncementsClient, UnreadListener};
pub use auth::AuthClient;
pub use client::{LobbyClient, SecretStore};
pub use errors::LobbyError;
pub use invites::InvitesClient;
pub use invoices::InvoicesClient;
pub use meetings::{MeetingsClient, MeetingsListener};
pub use privacy::{ConsentsClient, PrivacyClient};
pub use profile::ProfileClient;
pub use sync::{SyncStateListener, TaskHandle};
pub use units::UnitsClient;
