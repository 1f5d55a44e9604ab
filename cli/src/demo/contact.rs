//! The demo's contact-correction step (issue 11, PDPA: the person corrects their own
//! contact fields): the owner, signed in again on the phone after logging out everywhere,
//! moves the account to a new phone number with a code sent to it; the new number signs
//! in and the old one is told.

use lobby_core::{Lobby, Result};
use lobby_server::AdminClient;
use serde_json::json;

use super::{fail, Tour, OWNER_PASSWORD, OWNER_PHONE};

/// The owner's new number (any common Thai form is accepted).
const NEW_PHONE: &str = "086-555-0123";

pub(super) async fn run(tour: &mut Tour, admin: &AdminClient, phone: &Lobby) -> Result<()> {
    // A fresh sign-in: moving the account's sign-in elsewhere needs one.
    phone
        .auth()
        .login_password(OWNER_PHONE, OWNER_PASSWORD)
        .await?;
    let old = phone.profile().get()?.and_then(|p| p.phone);
    let sent = phone.profile().request_phone_change(NEW_PHONE).await?;
    let code = admin.peek_otp(NEW_PHONE).await?.code;
    let changed = phone
        .profile()
        .confirm_phone_change(&code)
        .await?
        .and_then(|p| p.phone);
    phone.auth().logout(false).await?;
    let again = phone
        .auth()
        .login_password(NEW_PHONE, OWNER_PASSWORD)
        .await?;
    let old_refused = phone
        .auth()
        .login_password(OWNER_PHONE, OWNER_PASSWORD)
        .await;
    if changed.is_none() || changed == old || again.units.is_empty() || old_refused.is_ok() {
        return Err(fail("the phone number did not move to the new number"));
    }
    tour.step(
        "Correct the phone number: a code goes to the new number",
        format!(
            "signed in again (a change of how you sign in needs a sign-in from the last 10 minutes); code sent to {}; entered; phone now {} (was {}; the old number is told by SMS); the new number signs in with {} unit(s), the old one no longer does",
            sent.sent_to,
            changed.as_deref().unwrap_or("-"),
            old.as_deref().unwrap_or("none"),
            again.units.len()
        ),
        json!({"phone": changed, "units": again.units.len(), "old_number_signs_in": old_refused.is_ok()}),
    );
    Ok(())
}
