//! Owner onboarding by QR (DESIGN.md §2.1): scan, confirm and choose a password, verify
//! the OTP. The payload is checked offline first (format, checksum, expiry), so a
//! tampered or expired QR fails with no network, as `ONBOARDING_TOKEN_INVALID` or
//! `ONBOARDING_TOKEN_EXPIRED`. The pending OTP step survives an app restart.

use crate::client::LobbyClient;
use crate::errors::LobbyError;
use crate::records::{OnboardingInfo, OtpChallengeInfo, SignedInInfo};

#[uniffi::export(async_runtime = "tokio")]
impl LobbyClient {
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
    /// already signed in adds units with `claim_onboarding` instead.
    pub async fn start_onboarding(
        &self,
        payload: String,
        phone: Option<String>,
        password: Option<String>,
        email: Option<String>,
        name: Option<String>,
    ) -> Result<OtpChallengeInfo, LobbyError> {
        let inner = &self.inner;
        Ok(inner
            .auth()
            .start_onboarding(
                &payload,
                phone.as_deref(),
                password.as_deref(),
                email.as_deref(),
                name.as_deref(),
            )
            .await?
            .into())
    }

    /// Adds the unit of another onboarding QR to the signed-in account (no OTP), then
    /// syncs it in; `UNAUTHORIZED` when this phone is not signed in.
    pub async fn claim_onboarding(&self, payload: String) -> Result<SignedInInfo, LobbyError> {
        Ok(self.inner.auth().claim_onboarding(&payload).await?.into())
    }

    /// Checks the OTP: the account (or the added unit) exists, the session starts and the
    /// first sync runs.
    pub async fn verify_onboarding(&self, code: String) -> Result<SignedInInfo, LobbyError> {
        Ok(self.inner.auth().verify_onboarding(&code).await?.into())
    }
}
