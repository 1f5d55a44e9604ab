//! Signing in and out (DESIGN.md §2.2). Answers never say whether an account exists.
//! Tokens go to the app's `SecretStore` only; logout revokes them on the server and
//! removes them from the phone even when offline.

use crate::client::LobbyClient;
use crate::errors::LobbyError;
use crate::records::{OtpChallengeInfo, SignedInInfo};

#[uniffi::export(async_runtime = "tokio")]
impl LobbyClient {
    /// Sends a login code to a phone number or e-mail address.
    pub async fn login_otp(&self, to: String) -> Result<OtpChallengeInfo, LobbyError> {
        Ok(self.inner.auth().login_otp(&to).await?.into())
    }

    pub async fn verify_login(&self, code: String) -> Result<SignedInInfo, LobbyError> {
        Ok(self.inner.auth().verify_login(&code).await?.into())
    }

    pub async fn login_password(
        &self,
        to: String,
        password: String,
    ) -> Result<SignedInInfo, LobbyError> {
        Ok(self
            .inner
            .auth()
            .login_password(&to, &password)
            .await?
            .into())
    }

    /// Revokes the session (every session of the person with `everywhere`) and wipes the
    /// phone's tokens and replica; queued changes stay. Returns whether the server
    /// confirmed (false offline: the phone's copy is gone anyway).
    pub async fn logout(&self, everywhere: bool) -> Result<bool, LobbyError> {
        Ok(self.inner.auth().logout(everywhere).await?)
    }
}

#[uniffi::export]
impl LobbyClient {
    /// Whether this phone holds a session.
    pub fn is_signed_in(&self) -> bool {
        self.inner.is_signed_in()
    }
}
