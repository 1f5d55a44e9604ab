//! The few values whose shape at the boundary differs from the core's.
//!
//! Most records cross as the core's own types, which derive the uniffi traits behind
//! lobby-core's `uniffi` feature (`UnitSummary`, `SignedIn`, `OtpChallenge`, `Profile`,
//! `SyncStatus`, `SyncReport`, `MemberRow`; times as uniffi timestamps — Kotlin
//! `java.time.Instant`, Swift `Date`). The enums (`Role`, `ProjectKind`, `ErrorCode`,
//! `SyncState`, `OutboxState`, `LocalInviteStatus`) are the core's and the model's too.
//! What is left here is a record the app should not see in the core's form, each with
//! one `From` impl and the reason it exists:
//!
//! - [`OnboardingInfo`]: the core's `ScannedOnboarding` nests the wire type
//!   `OnboardingPreview`, whose own `new_account` is the server's answer; the phone
//!   overrides it (a phone already signed in never makes a new account). Flat, the app
//!   sees one `new_account`, the right one. Its documents in force
//!   ([`OnboardingPolicy`]) and the answers given back ([`OnboardingConsent`]) name the
//!   kind as the `ConsentKind` enum the consents screen uses, not the wire's text, so
//!   the app cannot misspell one (a kind this app does not know is not listed).
//! - [`InviteInfo`]: the core's `Invite` is a stored row plus the code kept in the
//!   secret store; the app sees one invitation.
//! - [`OutboxEntryInfo`]: the core's `OutboxEntry` holds the whole `MutationEnvelope`
//!   (a serde enum of every change, with its payload); the app needs its id, kind and
//!   outcome, with the server's refusal code as an `ErrorCode`.

use std::time::SystemTime;

use lobby_core::domain::consent::ConsentKind;
use lobby_core::protocol::{ConsentAnswer, ProjectKind, Role};
use lobby_core::store::{OutboxEntry, OutboxState};
use lobby_core::{ErrorCode, Invite, LocalInviteStatus, ScannedOnboarding};

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
    /// The documents in force to answer at onboarding (empty: none is published).
    pub policies: Vec<OnboardingPolicy>,
}

/// A document in force, as an onboarding QR's preview lists it.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct OnboardingPolicy {
    pub kind: ConsentKind,
    pub version: String,
    pub published_at: SystemTime,
}

/// An answer given at onboarding: agreed (`given`) or refused, to `version` of `kind`
/// (the version an `OnboardingPolicy` showed).
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct OnboardingConsent {
    pub kind: ConsentKind,
    pub version: String,
    pub given: bool,
}

impl From<OnboardingConsent> for ConsentAnswer {
    fn from(c: OnboardingConsent) -> Self {
        ConsentAnswer {
            kind: c.kind.as_str().to_string(),
            version: c.version,
            given: c.given,
        }
    }
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
            // A kind this app does not know yet (a newer server) cannot be answered here.
            policies: p
                .policies
                .into_iter()
                .filter_map(|d| {
                    Some(OnboardingPolicy {
                        kind: ConsentKind::parse(&d.kind).ok()?,
                        version: d.version,
                        published_at: SystemTime::from(d.published_at),
                    })
                })
                .collect(),
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

#[cfg(test)]
mod tests {
    use std::time::{Duration, UNIX_EPOCH};

    use super::*;

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

    #[test]
    fn a_scanned_qr_shows_the_phones_new_account_not_the_servers() {
        let info = OnboardingInfo::from(ScannedOnboarding {
            preview: lobby_core::protocol::OnboardingPreview {
                project_id: "p-1".into(),
                project_name: "อาคารชุด ลุมพินี".into(),
                project_kind: ProjectKind::Condominium,
                unit_id: "u-1".into(),
                unit_number: "12/345".into(),
                owner_name: "สมชาย ใจดี".into(),
                ownership_ratio: lobby_core::domain::weight::Weight::from_micros(12_345_000),
                new_account: true,
                policies: vec![lobby_core::protocol::PolicyPublished {
                    kind: "terms".into(),
                    version: "2026-12".into(),
                    published_at: chrono::DateTime::from_timestamp(1_800_000_000, 0)
                        .unwrap_or_default(),
                }],
            },
            new_account: false,
        });
        assert!(!info.new_account);
        assert_eq!(info.ownership_ratio.to_string(), "12.345");
        assert_eq!(info.policies[0].kind, ConsentKind::Terms);
        assert_eq!(info.policies[0].version, "2026-12");
    }
}
