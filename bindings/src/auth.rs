//! [`AuthClient`] (`lobby.auth()`): owner onboarding by QR (DESIGN.md §2.1) and signing in
//! and out (§2.2).
//!
//! Onboarding: scan, confirm and choose a password, verify the OTP. The QR payload is
//! checked offline first (format, checksum, expiry), so a tampered or expired QR fails
//! with no network, as `ONBOARDING_TOKEN_INVALID` or `ONBOARDING_TOKEN_EXPIRED`. The
//! pending OTP step survives an app restart.
//!
//! Signing in: answers never say whether an account exists. Tokens go to the app's
//! `SecretStore` only; logout revokes them on the server and removes them from the phone
//! even when offline. `sessions` lists the person's signed-in devices (which device,
//! last seen, this one), so one not recognised can be ended with `logout(true)`.

use std::sync::Arc;

use lobby_core::protocol::ConsentAnswer;
use lobby_core::{Lobby, MisuseReport, OtpChallenge, SessionInfo, SignedIn};

use crate::errors::LobbyError;
use crate::records::{OnboardingConsent, OnboardingInfo};

/// Onboarding, sign-in and sign-out. Get it from `LobbyClient.auth()`.
#[derive(uniffi::Object)]
pub struct AuthClient {
    pub(crate) inner: Arc<Lobby>,
}

#[uniffi::export(async_runtime = "tokio")]
impl AuthClient {
    /// Reads an onboarding QR's text and fetches the pre-filled registration.
    pub async fn scan_onboarding(&self, payload: String) -> Result<OnboardingInfo, LobbyError> {
        Ok(self.inner.auth().scan_onboarding(&payload).await?.into())
    }

    /// Reads an onboarding QR from a photo (PNG or JPEG), then as `scan_onboarding`.
    pub async fn scan_onboarding_image(
        &self,
        image: Vec<u8>,
    ) -> Result<OnboardingInfo, LobbyError> {
        Ok(self
            .inner
            .auth()
            .scan_onboarding_image(&image)
            .await?
            .into())
    }

    /// Confirms the registration and sends an OTP. A new account needs `phone` and
    /// `password` (checked locally first: `PHONE_INVALID`, `PASSWORD_WEAK`, …). A phone
    /// already signed in adds units with `claim_onboarding` instead. `consents` answers
    /// the documents the scan listed (`OnboardingInfo.policies`), recorded with the
    /// account; empty: asked after the first sync.
    pub async fn start_onboarding(
        &self,
        payload: String,
        phone: Option<String>,
        password: Option<String>,
        email: Option<String>,
        name: Option<String>,
        consents: Vec<OnboardingConsent>,
    ) -> Result<OtpChallenge, LobbyError> {
        let auth = self.inner.auth();
        let (phone, password) = (phone.as_deref(), password.as_deref());
        let consents: Vec<ConsentAnswer> = consents.into_iter().map(Into::into).collect();
        Ok(auth
            .start_onboarding(
                &payload,
                phone,
                password,
                email.as_deref(),
                name.as_deref(),
                &consents,
            )
            .await?)
    }

    /// Adds the unit of another onboarding QR to the signed-in account (no OTP), then
    /// syncs it in; `UNAUTHORIZED` when this phone is not signed in.
    pub async fn claim_onboarding(&self, payload: String) -> Result<SignedIn, LobbyError> {
        Ok(self.inner.auth().claim_onboarding(&payload).await?)
    }

    /// Checks the OTP: the account (or the added unit) exists, the session starts and the
    /// first sync runs.
    pub async fn verify_onboarding(&self, code: String) -> Result<SignedIn, LobbyError> {
        Ok(self.inner.auth().verify_onboarding(&code).await?)
    }

    /// Sends a login code to a phone number or e-mail address.
    pub async fn login_otp(&self, to: String) -> Result<OtpChallenge, LobbyError> {
        Ok(self.inner.auth().login_otp(&to).await?)
    }

    /// Checks the login code; the session starts and the first sync runs. Also finishes
    /// `InvitesClient.accept`.
    pub async fn verify_login(&self, code: String) -> Result<SignedIn, LobbyError> {
        Ok(self.inner.auth().verify_login(&code).await?)
    }

    pub async fn login_password(
        &self,
        to: String,
        password: String,
    ) -> Result<SignedIn, LobbyError> {
        Ok(self.inner.auth().login_password(&to, &password).await?)
    }

    /// Revokes the session (every session of the person with `everywhere`) and wipes the
    /// phone's tokens and replica; queued changes stay. Returns whether the server
    /// confirmed (false offline: the phone's copy is gone anyway).
    pub async fn logout(&self, everywhere: bool) -> Result<bool, LobbyError> {
        Ok(self.inner.auth().logout(everywhere).await?)
    }

    /// The person's signed-in devices, the most recently seen first, this phone's own
    /// marked `current`; `device` `None` is an unknown device. Network: `OFFLINE`
    /// without it, `UNAUTHORIZED` when signed out.
    pub async fn sessions(&self) -> Result<Vec<SessionInfo>, LobbyError> {
        Ok(self.inner.auth().sessions().await?)
    }

    /// "Someone else used my account": ends every sign-in on the server and files a
    /// misuse report for the office (due in 72 hours) in one step, then forgets the
    /// account here like `logout`. Online only (`OFFLINE`: nothing happened, try again).
    pub async fn report_misuse(&self, detail: Option<String>) -> Result<MisuseReport, LobbyError> {
        Ok(self.inner.auth().report_misuse(detail.as_deref()).await?)
    }
}

#[uniffi::export]
impl AuthClient {
    /// Whether this phone holds a session.
    pub fn is_signed_in(&self) -> bool {
        self.inner.auth().is_signed_in()
    }
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, SystemTime, UNIX_EPOCH};

    use uniffi::{Lift, Lower};

    use super::*;
    use crate::UniFfiTag;

    #[test]
    fn an_otp_challenge_crosses_with_its_times_to_the_nanosecond(
    ) -> Result<(), Box<dyn std::error::Error>> {
        let at = |s| chrono::DateTime::from_timestamp(s, 500).unwrap_or_default();
        let challenge = OtpChallenge {
            sent_to: "+66 8••••5678".into(),
            expires_at: at(1_800_000_300),
            resend_after: at(1_800_000_060),
        };
        let lowered = <OtpChallenge as Lower<UniFfiTag>>::lower(challenge.clone());
        let back = <OtpChallenge as Lift<UniFfiTag>>::try_lift(lowered)?;
        assert_eq!(back, challenge);
        assert_eq!(
            SystemTime::from(back.expires_at),
            UNIX_EPOCH + Duration::new(1_800_000_300, 500)
        );
        Ok(())
    }
}
