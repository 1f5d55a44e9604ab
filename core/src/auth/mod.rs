//! Onboarding by QR and signing in (DESIGN.md §2.1–2.2), as the phone sees them.
//!
//! Every flow checks what it can locally first — the QR payload's format, version and
//! expiry; the phone number's form; the password policy — so bad input fails fast and
//! offline, with the same codes the server would answer. The server checks it all again.
//!
//! An OTP step spans two calls (`…_start` sends the code, `…_verify` checks it), possibly
//! in two processes (the CLI), so the pending step is kept in the local settings. It holds
//! the request id the code is bound to — not the code, which only the person knows.

mod device_key;
mod misuse;
mod sessions;

pub use misuse::MisuseReport;
pub use sessions::SessionInfo;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::api::ApiClient;
use crate::client::{Inner, Lobby};
use crate::domain::consent::ConsentKind;
use crate::domain::contact::{normalize_email, normalize_thai_phone, Destination};
use crate::domain::onboarding::OnboardingPayload;
use crate::domain::password::check_password_policy;
use crate::domain::profile::check_display_name;
use crate::error::{ErrorCode, LobbyError, Result};
use crate::protocol::{
    ConsentAnswer, LogoutRequest, OnboardingPreview, OnboardingStartRequest, OtpSent,
    OtpVerifyRequest, SessionGrant,
};
use crate::secrets::keys;
use crate::store::setting_keys;
use crate::sync::SyncTrigger;
use crate::units::UnitSummary;

/// The result of signing in: who, and the units the first sync brought.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct SignedIn {
    pub person_id: String,
    pub units: Vec<UnitSummary>,
    /// After onboarding with an e-mail the account does not have yet: where the code
    /// that confirms it went (masked); enter it with `profile().confirm_email_change`.
    pub email_code_sent_to: Option<String>,
}

/// Onboarding, sign-in and sign-out (`lobby.auth()`).
pub struct AuthClient<'a> {
    lobby: &'a Lobby,
}

impl Lobby {
    /// The sign-in area: onboarding by QR, OTP and password login, logout.
    pub fn auth(&self) -> AuthClient<'_> {
        AuthClient { lobby: self }
    }
}

/// What a scanned onboarding QR stands for.
#[derive(Debug, Clone, PartialEq)]
pub struct ScannedOnboarding {
    pub preview: OnboardingPreview,
    /// False when this phone is already signed in, or the server knows the owner's
    /// account: the existing profile is reused and only the unit is added.
    pub new_account: bool,
}

impl ScannedOnboarding {
    /// Answers to the documents this scan listed (`preview.policies`), for
    /// [`AuthClient::start_onboarding`]: each kind in `agree` agreed, each in `decline`
    /// refused, in the version in force the preview showed. A kind with nothing published
    /// is `NOT_FOUND`; a kind named twice is `INVALID_INPUT`.
    pub fn answers(
        &self,
        agree: &[ConsentKind],
        decline: &[ConsentKind],
    ) -> Result<Vec<ConsentAnswer>> {
        let given = agree.iter().map(|k| (k, true));
        let refused = decline.iter().map(|k| (k, false));
        let answers = given
            .chain(refused)
            .map(|(kind, given)| {
                let policy = self
                    .preview
                    .policies
                    .iter()
                    .find(|p| p.kind == kind.as_str())
                    .ok_or_else(|| {
                        LobbyError::new(
                            ErrorCode::NotFound,
                            format!("no {} document is published to answer", kind.as_str()),
                        )
                    })?;
                Ok(ConsentAnswer {
                    kind: kind.as_str().to_string(),
                    version: policy.version.clone(),
                    given,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        ConsentAnswer::check_all(&answers)?;
        Ok(answers)
    }
}

/// A code was sent; verify it before `expires_at`, ask again after `resend_after`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct OtpChallenge {
    /// Masked destination, e.g. `+66 8••••5678`.
    pub sent_to: String,
    pub expires_at: DateTime<Utc>,
    pub resend_after: DateTime<Utc>,
}

/// What the one code waiting on this phone is for.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub(crate) enum OtpPurpose {
    Onboarding,
    Login,
    /// A new login e-mail (`profile().request_email_change`).
    EmailChange,
    /// A new phone number (`profile().request_phone_change`).
    PhoneChange,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct PendingOtp {
    purpose: OtpPurpose,
    pub(crate) request_id: String,
}

impl AuthClient<'_> {
    /// Reads an onboarding QR's text: checked offline, then the pre-filled registration
    /// is fetched for the owner to confirm.
    pub async fn scan_onboarding(&self, payload: &str) -> Result<ScannedOnboarding> {
        OnboardingPayload::parse_and_check(payload, Utc::now())?;
        let inner = self.lobby.inner.clone();
        let payload = payload.trim().to_string();
        self.lobby
            .spawn(async move {
                let preview = inner.api()?.onboarding_preview(&payload).await?;
                let new_account = preview.new_account && !inner.has_session();
                Ok(ScannedOnboarding {
                    preview,
                    new_account,
                })
            })
            .await
    }

    /// Reads an onboarding QR from a photo (PNG or JPEG), then as [`AuthClient::scan_onboarding`].
    pub async fn scan_onboarding_image(&self, image: &[u8]) -> Result<ScannedOnboarding> {
        let text = crate::qr::read_png_or_jpeg(image)?;
        self.scan_onboarding(&text).await
    }

    /// Confirms the registration of a new account and sends an OTP; `phone` and
    /// `password` are required. (A phone already signed in adds units with
    /// [`AuthClient::claim_onboarding`] instead; here it sends the code to the account's phone.)
    ///
    /// `consents` answers the documents the scan listed (`preview.policies`), at most one
    /// per kind, checked here first (`domain::consent::check_answers`); they are recorded
    /// with the account, so the first sync asks nothing already answered. Empty: the
    /// person is asked after the first sync (`consents().to_ask()`). An agreement to a
    /// version replaced meanwhile refuses the verification with `CONFLICT`: scan again.
    pub async fn start_onboarding(
        &self,
        payload: &str,
        phone: Option<&str>,
        password: Option<&str>,
        email: Option<&str>,
        name: Option<&str>,
        consents: &[ConsentAnswer],
    ) -> Result<OtpChallenge> {
        OnboardingPayload::parse_and_check(payload, Utc::now())?;
        ConsentAnswer::check_all(consents)?;
        let signed_in = self.lobby.inner.has_session();
        let mut req = OnboardingStartRequest {
            payload: payload.trim().to_string(),
            phone: None,
            email: None,
            name: None,
            password: None,
            consents: consents.to_vec(),
        };
        if !signed_in {
            let phone = phone.ok_or_else(|| {
                LobbyError::new(
                    ErrorCode::PhoneInvalid,
                    "a phone number is needed to verify",
                )
            })?;
            req.phone = Some(normalize_thai_phone(phone)?);
            let password = password
                .ok_or_else(|| LobbyError::new(ErrorCode::PasswordTooShort, "choose a password"))?;
            check_password_policy(password)?;
            req.password = Some(password.to_string());
            req.email = email.map(normalize_email).transpose()?;
            req.name = name.map(check_display_name).transpose()?;
        }
        let inner = self.lobby.inner.clone();
        self.lobby
            .spawn(async move {
                let sent = if signed_in {
                    inner
                        .authed(|api, token| {
                            let req = req.clone();
                            async move { api.onboarding_start(&req, Some(&token)).await }
                        })
                        .await?
                } else {
                    inner.api()?.onboarding_start(&req, None).await?
                };
                inner.with_store(|s| match &req.email {
                    Some(e) => s.set_setting(setting_keys::ONBOARDING_EMAIL, e),
                    None => s.clear_setting(setting_keys::ONBOARDING_EMAIL),
                })?;
                inner.remember_otp(OtpPurpose::Onboarding, &sent)
            })
            .await
    }

    /// Adds the unit of another onboarding QR to the signed-in account (no OTP: the
    /// session proves the person, the QR the unit), then syncs it in.
    pub async fn claim_onboarding(&self, payload: &str) -> Result<SignedIn> {
        OnboardingPayload::parse_and_check(payload, Utc::now())?;
        if !self.lobby.inner.has_session() {
            return Err(LobbyError::new(
                ErrorCode::Unauthorized,
                "sign in first, or complete onboarding as a new account",
            ));
        }
        let inner = self.lobby.inner.clone();
        let payload = payload.trim().to_string();
        self.lobby.spawn(async move {
            let claimed = inner
                .authed(|api, token| { let p = payload.clone(); async move { api.onboarding_claim(&token, &p).await } })
                .await?;
            if let Err(e) = inner.sync.run(&inner, SyncTrigger::Explicit).await {
                tracing::warn!(code = %e.code, "sync after adding a unit failed; it will be retried");
            }
            let units = inner.with_store(|s| s.units())?;
            Ok(SignedIn { person_id: claimed.person_id, units, email_code_sent_to: None })
        })
        .await
    }

    /// Checks the onboarding OTP: the account (or the added unit) now exists, the session
    /// starts and the first sync runs (an offline first sync is not an error).
    pub async fn verify_onboarding(&self, code: &str) -> Result<SignedIn> {
        let inner = self.lobby.inner.clone();
        let code = code.trim().to_string();
        self.lobby
            .spawn(async move {
                let pending = inner.pending_otp(OtpPurpose::Onboarding)?;
                let grant = inner
                    .api()?
                    .onboarding_verify(&OtpVerifyRequest {
                        request_id: pending.request_id,
                        code,
                    })
                    .await?;
                let mut signed = inner.finish_sign_in(grant).await?;
                signed.email_code_sent_to = inner.confirm_typed_email().await;
                Ok(signed)
            })
            .await
    }

    /// Sends a login OTP to a phone or e-mail. The answer is the same whether or not an
    /// account exists there.
    pub async fn login_otp(&self, to: &str) -> Result<OtpChallenge> {
        let dest = Destination::parse(to)?;
        let inner = self.lobby.inner.clone();
        self.lobby
            .spawn(async move {
                let sent = inner.api()?.login_otp(dest.as_str()).await?;
                inner.remember_otp(OtpPurpose::Login, &sent)
            })
            .await
    }

    pub async fn verify_login(&self, code: &str) -> Result<SignedIn> {
        let inner = self.lobby.inner.clone();
        let code = code.trim().to_string();
        self.lobby
            .spawn(async move {
                let pending = inner.pending_otp(OtpPurpose::Login)?;
                let grant = inner
                    .api()?
                    .login_otp_verify(&OtpVerifyRequest {
                        request_id: pending.request_id,
                        code,
                    })
                    .await?;
                inner.finish_sign_in(grant).await
            })
            .await
    }

    pub async fn login_password(&self, to: &str, password: &str) -> Result<SignedIn> {
        let dest = Destination::parse(to)?;
        if password.is_empty()
            || password.chars().count() > crate::domain::password::MAX_PASSWORD_CHARS
        {
            return Err(LobbyError::new(
                ErrorCode::InvalidCredentials,
                "wrong phone, e-mail or password",
            ));
        }
        let inner = self.lobby.inner.clone();
        let password = password.to_string();
        self.lobby
            .spawn(async move {
                let grant = inner
                    .api()?
                    .login_password(dest.as_str(), &password)
                    .await?;
                inner.finish_sign_in(grant).await
            })
            .await
    }

    /// Signs out: revokes the session on the server (all of the person's sessions with
    /// `everywhere`) and wipes this phone's tokens and replica. Queued changes stay and
    /// are sent when the same person signs in again. Returns whether the server confirmed
    /// the revocation (false when offline: the tokens are gone from the phone anyway).
    pub async fn logout(&self, everywhere: bool) -> Result<bool> {
        let inner = self.lobby.inner.clone();
        self.lobby
            .spawn(async move {
                let revoked = match inner.device.secret(keys::ACCESS_TOKEN)? {
                    Some(_) => inner
                        .authed(|api, token| async move {
                            let req = LogoutRequest {
                                everywhere,
                                ..LogoutRequest::default()
                            };
                            api.logout(&token, &req).await
                        })
                        .await
                        .is_ok(),
                    None => false,
                };
                inner.signed_out()?;
                Ok(revoked)
            })
            .await
    }

    /// Whether this phone holds a session.
    pub fn is_signed_in(&self) -> bool {
        self.lobby.inner.has_session()
    }
}

impl Inner {
    /// An invitation's OTP is verified like a login code.
    pub(crate) fn remember_login_otp(&self, sent: &OtpSent) -> Result<OtpChallenge> {
        self.remember_otp(OtpPurpose::Login, sent)
    }

    pub(crate) fn remember_otp(&self, purpose: OtpPurpose, sent: &OtpSent) -> Result<OtpChallenge> {
        let pending = PendingOtp {
            purpose,
            request_id: sent.request_id.clone(),
        };
        self.with_store(|s| {
            s.set_setting(setting_keys::PENDING_OTP, &serde_json::to_string(&pending)?)
        })?;
        Ok(OtpChallenge {
            sent_to: sent.sent_to.clone(),
            expires_at: sent.expires_at,
            resend_after: sent.resend_after,
        })
    }

    pub(crate) fn pending_otp(&self, purpose: OtpPurpose) -> Result<PendingOtp> {
        let raw = self.with_store(|s| s.setting(setting_keys::PENDING_OTP))?;
        let pending: Option<PendingOtp> = raw.and_then(|r| serde_json::from_str(&r).ok());
        match pending {
            Some(p) if p.purpose == purpose => Ok(p),
            _ => Err(LobbyError::new(
                ErrorCode::NoPendingOtp,
                "no code is waiting to be verified here; ask for a code first",
            )),
        }
    }

    /// The e-mail typed at onboarding is not the login e-mail until a code sent to it is
    /// entered (the onboarding code went to the phone). If the account does not have it
    /// yet, that code is asked for now; where it went, or `None`. Never fails the
    /// sign-in: a failure is logged and the person can ask again from the profile.
    async fn confirm_typed_email(&self) -> Option<String> {
        let typed = self
            .with_store(|s| s.setting(setting_keys::ONBOARDING_EMAIL))
            .ok()
            .flatten()?;
        if let Err(e) = self.with_store(|s| s.clear_setting(setting_keys::ONBOARDING_EMAIL)) {
            tracing::warn!(code = %e.code, "could not clear the onboarding e-mail setting");
        }
        let current = self
            .with_store(|s| s.profile())
            .ok()
            .flatten()
            .and_then(|p| p.email);
        if current.as_deref() == Some(typed.as_str()) {
            return None;
        }
        let sent = self
            .authed(|api, token| {
                let e = typed.clone();
                async move { api.email_change(&token, &e).await }
            })
            .await;
        match sent.and_then(|sent| self.remember_otp(OtpPurpose::EmailChange, &sent)) {
            Ok(challenge) => Some(challenge.sent_to),
            Err(e) => {
                tracing::warn!(code = %e.code, "no code could be sent to the e-mail typed at onboarding");
                None
            }
        }
    }

    /// Stores a new session; a different person than before gets a clean replica.
    async fn finish_sign_in(&self, grant: SessionGrant) -> Result<SignedIn> {
        let previous = self.person_id()?;
        self.save_grant(&grant)?;
        self.with_store_mut(|s| {
            if previous.as_deref() != Some(grant.person_id.as_str()) {
                s.reset_replica()?;
                s.clear_setting(setting_keys::CURRENT_UNIT)?;
            }
            s.set_setting(setting_keys::PERSON_ID, &grant.person_id)?;
            s.clear_setting(setting_keys::PENDING_OTP)
        })?;
        self.make_device_key(&grant.person_id)?;
        tracing::info!("signed in");
        if let Err(e) = self.sync.run(self, SyncTrigger::Explicit).await {
            tracing::warn!(code = %e.code, "first sync failed; it will be retried");
        }
        let units = self.with_store(|s| s.units())?;
        Ok(SignedIn {
            person_id: grant.person_id,
            units,
            email_code_sent_to: None,
        })
    }

    fn save_grant(&self, grant: &SessionGrant) -> Result<()> {
        self.device
            .set_secret(keys::ACCESS_TOKEN, &grant.access_token)?;
        self.device
            .set_secret(keys::REFRESH_TOKEN, &grant.refresh_token)
    }

    /// Removes what the signed-in person left on this phone: the session's secrets, the
    /// replica, who is signed in and the current unit. Queued changes stay (they are
    /// sent when the same person signs in again). Used by logout, and by sync when the
    /// server has ended the session (signed out everywhere from another phone, a copied
    /// refresh token): DESIGN.md §2.2, "wipe the phone's copy".
    pub(crate) fn forget_session(&self) -> Result<()> {
        self.clear_session_secrets()?;
        self.with_store_mut(|s| {
            s.reset_replica()?;
            s.clear_setting(setting_keys::PERSON_ID)?;
            s.clear_setting(setting_keys::CURRENT_UNIT)
        })
    }

    /// After a logout (or a misuse report): the account leaves this phone, with the last
    /// sync's state and any code waiting, and listeners see the phone idle.
    pub(crate) fn signed_out(&self) -> Result<()> {
        self.forget_session()?;
        self.with_store(|s| {
            s.clear_setting(setting_keys::LAST_SYNC_STATE)?;
            s.clear_setting(setting_keys::PENDING_OTP)
        })?;
        self.publish_state(crate::sync::SyncState::Idle)
    }

    pub(crate) fn clear_session_secrets(&self) -> Result<()> {
        for key in keys::SESSION {
            self.device.delete_secret(key)?;
        }
        Ok(())
    }

    /// Trades the refresh token for a new pair. A refused refresh ends the session on
    /// this phone (the person must sign in again); being offline does not.
    pub(crate) async fn refresh_session(&self, api: &ApiClient) -> Result<String> {
        let refresh = self.device.secret(keys::REFRESH_TOKEN)?.ok_or_else(|| {
            LobbyError::new(ErrorCode::Unauthorized, "not signed in on this device")
        })?;
        match api.refresh(&refresh).await {
            Ok(grant) => {
                self.save_grant(&grant)?;
                Ok(grant.access_token)
            }
            Err(e) if crate::api::is_transient(e.code) => Err(e),
            Err(_) => {
                // The data goes at the end of the sync that met this (sync's
                // `forget_ended_session`), once no page can land after it.
                self.clear_session_secrets()?;
                Err(LobbyError::new(
                    ErrorCode::Unauthorized,
                    "the session has ended; sign in again",
                ))
            }
        }
    }
}
