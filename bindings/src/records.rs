//! The plain values that cross the boundary, copied from the core's types.
//!
//! The core's own records carry `chrono` times and nested protocol types; here times are
//! `SystemTime` (Kotlin `java.time.Instant`, Swift `Date`) and shapes are flat. Enums
//! (`Role`, `ProjectKind`, `SyncState`, `OutboxState`, `ErrorCode`, `LocalInviteStatus`)
//! are the core's own, exported by lobby-core. Each record has one `From` impl and nothing else.

use std::time::SystemTime;

use lobby_core::protocol::{ProjectKind, Role};
use lobby_core::store::{OutboxEntry, OutboxState};
use lobby_core::{
    ErrorCode, Invite, LocalInviteStatus, MemberRow, OtpChallenge, Profile, ScannedOnboarding,
    SignedIn, SyncReport, SyncState, SyncStatus, UnitSummary,
};

/// One entry of the unit drop-down: a unit the person belongs to, in any project.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct UnitInfo {
    pub unit_id: String,
    /// As the office writes it, e.g. "12/345" or "B-1203".
    pub unit_number: String,
    pub project_id: String,
    pub project_name: String,
    pub role: Role,
    /// Ownership ratio, an exact decimal string such as `"12.345"` (Kotlin: `BigDecimal(it)`).
    pub ownership_ratio: lobby_core::domain::weight::Weight,
    pub arrears_months: u32,
}

impl From<UnitSummary> for UnitInfo {
    fn from(u: UnitSummary) -> Self {
        UnitInfo {
            unit_id: u.unit_id,
            unit_number: u.unit_number,
            project_id: u.project_id,
            project_name: u.project_name,
            role: u.role,
            ownership_ratio: u.ownership_ratio,
            arrears_months: u.arrears_months,
        }
    }
}

/// What a scanned onboarding QR stands for: the pre-filled registration to confirm.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct OnboardingInfo {
    pub project_id: String,
    pub project_name: String,
    pub project_kind: ProjectKind,
    pub unit_id: String,
    pub unit_number: String,
    pub owner_name: String,
    /// Decimal text, e.g. "12.345".
    pub ownership_ratio: lobby_core::domain::weight::Weight,
    /// False when this phone is signed in or the owner already has an account: only the
    /// unit is added, and phone and password are not asked for.
    pub new_account: bool,
}

impl From<ScannedOnboarding> for OnboardingInfo {
    fn from(s: ScannedOnboarding) -> Self {
        let p = s.preview;
        OnboardingInfo {
            project_id: p.project_id,
            project_name: p.project_name,
            project_kind: p.project_kind,
            unit_id: p.unit_id,
            unit_number: p.unit_number,
            owner_name: p.owner_name,
            ownership_ratio: p.ownership_ratio,
            new_account: s.new_account,
        }
    }
}

/// A code was sent: verify it before `expires_at`, offer "send again" after `resend_after`.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct OtpChallengeInfo {
    /// Masked destination, e.g. "+66 8••••5678".
    pub sent_to: String,
    pub expires_at: SystemTime,
    pub resend_after: SystemTime,
}

impl From<OtpChallenge> for OtpChallengeInfo {
    fn from(c: OtpChallenge) -> Self {
        OtpChallengeInfo {
            sent_to: c.sent_to,
            expires_at: c.expires_at.into(),
            resend_after: c.resend_after.into(),
        }
    }
}

/// The result of signing in: who, and the units the first sync brought (empty when that
/// sync could not reach the server; it is retried).
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct SignedInInfo {
    pub person_id: String,
    pub units: Vec<UnitInfo>,
}

impl From<SignedIn> for SignedInInfo {
    fn from(s: SignedIn) -> Self {
        SignedInInfo {
            person_id: s.person_id,
            units: s.units.into_iter().map(UnitInfo::from).collect(),
        }
    }
}

/// The person's profile, with edits still queued on this phone laid over it.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct ProfileInfo {
    pub person_id: String,
    /// Changed only by the office (it proves ownership).
    pub legal_name: String,
    pub display_name: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    /// Edits queued on this phone, not yet confirmed by the server.
    pub pending_edits: u32,
}

impl From<Profile> for ProfileInfo {
    fn from(p: Profile) -> Self {
        ProfileInfo {
            person_id: p.person_id,
            legal_name: p.legal_name,
            display_name: p.display_name,
            phone: p.phone,
            email: p.email,
            pending_edits: p.pending_edits,
        }
    }
}

/// What the app shows about sync: "syncing…", "offline — 2 changes waiting".
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct SyncStatusInfo {
    pub state: SyncState,
    /// Changes queued on this phone, not yet confirmed by the server.
    pub pending: u32,
    pub last_sync: Option<SystemTime>,
}

impl From<SyncStatus> for SyncStatusInfo {
    fn from(s: SyncStatus) -> Self {
        SyncStatusInfo {
            state: s.state,
            pending: s.pending,
            last_sync: s.last_sync.map(SystemTime::from),
        }
    }
}

/// What one `sync` call did. Being offline is not an error: `state` says so.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct SyncReportInfo {
    pub state: SyncState,
    pub pulled: u64,
    pub pushed: u64,
    pub rejected: u64,
    pub pending: u32,
}

impl From<SyncReport> for SyncReportInfo {
    fn from(r: SyncReport) -> Self {
        SyncReportInfo {
            state: r.state,
            pulled: r.pulled,
            pushed: r.pushed,
            rejected: r.rejected,
            pending: r.pending,
        }
    }
}

/// A change made on this phone: waiting for the server, or refused by it.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct OutboxEntryInfo {
    /// The idempotency key (UUIDv7).
    pub id: String,
    /// e.g. "profile_update".
    pub kind: String,
    pub created_at: SystemTime,
    pub attempts: u32,
    pub state: OutboxState,
    /// Why the server refused it (when `state` is rejected).
    pub reject_code: Option<ErrorCode>,
    pub reject_message: Option<String>,
}

impl From<OutboxEntry> for OutboxEntryInfo {
    fn from(e: OutboxEntry) -> Self {
        OutboxEntryInfo {
            id: e.envelope.id.to_string(),
            kind: e.envelope.mutation.kind().to_string(),
            created_at: e.envelope.created_at.into(),
            attempts: e.attempts,
            state: e.state,
            reject_code: e.reject_code.as_deref().map(ErrorCode::parse),
            reject_message: e.reject_message,
        }
    }
}

/// An invitation as the owner's phone knows it.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct InviteInfo {
    pub invite_id: String,
    pub unit_id: String,
    pub role: Role,
    /// `QUEUED` (made here, not yet confirmed), `PENDING`, `ACCEPTED`, `REVOKED`,
    /// `EXPIRED`, or `REJECTED` by the server (see `reason`).
    pub status: LocalInviteStatus,
    /// The code, when this phone made the invitation and it can still be used.
    pub code: Option<String>,
    pub created_at: SystemTime,
    pub expires_at: SystemTime,
    /// The person who accepted it.
    pub accepted_by: Option<String>,
    /// The server's reason, for a refused one.
    pub reason: Option<String>,
    /// A revocation is queued on this phone.
    pub revoke_pending: bool,
}

impl From<Invite> for InviteInfo {
    fn from(i: Invite) -> Self {
        let r = i.row;
        InviteInfo {
            invite_id: r.invite_id,
            unit_id: r.unit_id,
            role: r.role,
            status: r.status,
            code: i.code,
            created_at: r.created_at.into(),
            expires_at: r.expires_at.into(),
            accepted_by: r.accepted_by,
            reason: r.reason,
            revoke_pending: r.revoke_pending,
        }
    }
}

/// A resident or tenant of a unit, as the owner sees them.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct MemberInfo {
    pub membership_id: String,
    pub unit_id: String,
    pub person_id: String,
    pub name: String,
    pub role: Role,
    /// A removal is queued on this phone.
    pub removal_pending: bool,
}

impl From<MemberRow> for MemberInfo {
    fn from(m: MemberRow) -> Self {
        MemberInfo {
            membership_id: m.membership_id,
            unit_id: m.unit_id,
            person_id: m.person_id,
            name: m.name,
            role: m.role,
            removal_pending: m.removal_pending,
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, UNIX_EPOCH};

    use super::*;

    #[test]
    fn otp_times_become_system_times_to_the_second() {
        let at = |s| chrono::DateTime::from_timestamp(s, 0).unwrap_or_default();
        let info = OtpChallengeInfo::from(OtpChallenge {
            sent_to: "+66 8••••5678".into(),
            expires_at: at(1_800_000_300),
            resend_after: at(1_800_000_060),
        });
        assert_eq!(
            info.expires_at,
            UNIX_EPOCH + Duration::from_secs(1_800_000_300)
        );
        assert_eq!(
            info.resend_after,
            UNIX_EPOCH + Duration::from_secs(1_800_000_060)
        );
    }

    #[test]
    fn a_status_never_synced_has_no_last_sync() {
        let info = SyncStatusInfo::from(SyncStatus {
            state: SyncState::Offline,
            pending: 2,
            last_sync: None,
        });
        assert_eq!(
            info,
            SyncStatusInfo {
                state: SyncState::Offline,
                pending: 2,
                last_sync: None
            }
        );
    }

    #[test]
    fn a_refused_change_carries_the_server_code_as_an_error_code() {
        let entry = OutboxEntry {
            envelope: lobby_core::protocol::MutationEnvelope {
                id: uuid::Uuid::now_v7(),
                created_at: chrono::DateTime::from_timestamp(1_800_000_000, 0).unwrap_or_default(),
                mutation: lobby_core::protocol::Mutation::ProfileUpdate {
                    display_name: Some("นิด".into()),
                    email: None,
                },
            },
            attempts: 1,
            state: OutboxState::Rejected,
            reject_code: Some("invalid_input".into()),
            reject_message: Some("too long".into()),
        };
        let info = OutboxEntryInfo::from(entry);
        assert_eq!(info.kind, "profile_update");
        assert_eq!(info.reject_code, Some(ErrorCode::InvalidInput));
    }

    #[test]
    fn an_invitation_made_here_carries_its_code_and_status() {
        let at = |s| chrono::DateTime::from_timestamp(s, 0).unwrap_or_default();
        let info = InviteInfo::from(Invite {
            row: lobby_core::InviteRow {
                invite_id: "inv-1".into(),
                unit_id: "unit-1".into(),
                role: Role::Tenant,
                status: LocalInviteStatus::Queued,
                created_at: at(1_800_000_000),
                expires_at: at(1_800_604_800),
                accepted_by: None,
                reason: None,
                revoke_pending: false,
            },
            code: Some("ABCDE12345".into()),
        });
        assert_eq!(info.status, LocalInviteStatus::Queued);
        assert_eq!(info.code.as_deref(), Some("ABCDE12345"));
        assert_eq!(
            info.expires_at,
            UNIX_EPOCH + Duration::from_secs(1_800_604_800)
        );
    }
}
