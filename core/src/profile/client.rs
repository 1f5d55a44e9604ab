//! [`ProfileClient`]: read and edit the person's own profile.
//!
//! The display name is edited offline (queued, shown at once). The login e-mail and the
//! phone number are not plain edits: they sign their holder in, so a new one is used only
//! after the code sent to it is entered (`request_email_change` then
//! `confirm_email_change`; `request_phone_change` then `confirm_phone_change`; online,
//! like sign-in, after a recent sign-in), and the server tells the old one.

use chrono::Utc;
use rusqlite::OptionalExtension;

use crate::auth::{OtpChallenge, OtpPurpose};
use crate::client::Lobby;
use crate::domain::contact::{normalize_email, normalize_thai_phone};
use crate::domain::profile::check_display_name;
use crate::error::Result;
use crate::protocol::{Mutation, OtpVerifyRequest};
use crate::store::setting_keys;
use crate::store::Store;
use crate::sync::SyncTrigger;

#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Profile {
    pub person_id: String,
    pub legal_name: String,
    pub display_name: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    /// Edits queued on this phone and not yet confirmed by the server.
    pub pending_edits: u32,
}

/// The person's profile (`lobby.profile()`).
pub struct ProfileClient<'a> {
    lobby: &'a Lobby,
}

impl Lobby {
    /// The profile area.
    pub fn profile(&self) -> ProfileClient<'_> {
        ProfileClient { lobby: self }
    }
}

impl ProfileClient<'_> {
    /// The person's profile, with edits still queued laid over it.
    pub fn get(&self) -> Result<Option<Profile>> {
        self.lobby.inner.with_store(|s| s.profile())
    }

    /// Changes the display name. Queued (works offline) and shown at once; the server
    /// confirms or refuses on the next sync.
    pub fn set_display_name(&self, display_name: &str) -> Result<()> {
        let inner = &self.lobby.inner;
        let person = inner.require_person()?;
        let mutation = Mutation::ProfileUpdate {
            display_name: Some(check_display_name(display_name)?),
            email: None,
        };
        inner.with_store_mut(|s| s.enqueue(&person, mutation, Utc::now()))?;
        inner.after_local_write()
    }

    /// Sends a code to `email`, the login e-mail this person wants; it replaces the
    /// current one when [`ProfileClient::confirm_email_change`] gets the code. Online;
    /// needs a sign-in from the last 10 minutes (`reauth_required`).
    pub async fn request_email_change(&self, email: &str) -> Result<OtpChallenge> {
        self.request_change(NewContact::Email(normalize_email(email)?))
            .await
    }

    /// Checks the code sent to the new address; the address becomes the login e-mail,
    /// the old one is told, and the profile syncs in. Returns the profile.
    pub async fn confirm_email_change(&self, code: &str) -> Result<Option<Profile>> {
        self.confirm_change(OtpPurpose::EmailChange, code).await
    }

    /// Sends a code to `phone` (any common Thai form), the number this person wants
    /// codes and sign-in to go to; it replaces the current one when
    /// [`ProfileClient::confirm_phone_change`] gets the code. Online; needs a sign-in
    /// from the last 10 minutes (`reauth_required`). A number that is another account's,
    /// or another owner's in the office's registry, is refused when the code comes back
    /// (`conflict`).
    pub async fn request_phone_change(&self, phone: &str) -> Result<OtpChallenge> {
        self.request_change(NewContact::Phone(normalize_thai_phone(phone)?))
            .await
    }

    /// Checks the code sent to the new number; it becomes the person's phone, the old
    /// number is told, and the profile syncs in. Returns the profile.
    pub async fn confirm_phone_change(&self, code: &str) -> Result<Option<Profile>> {
        self.confirm_change(OtpPurpose::PhoneChange, code).await
    }

    async fn request_change(&self, contact: NewContact) -> Result<OtpChallenge> {
        let inner = self.lobby.inner.clone();
        inner.require_person()?;
        self.lobby
            .spawn(async move {
                let purpose = contact.purpose();
                let sent = inner
                    .authed(|api, token| {
                        let c = contact.clone();
                        async move {
                            match c {
                                NewContact::Email(e) => api.email_change(&token, &e).await,
                                NewContact::Phone(p) => api.phone_change(&token, &p).await,
                            }
                        }
                    })
                    .await?;
                inner.remember_otp(purpose, &sent)
            })
            .await
    }

    async fn confirm_change(&self, purpose: OtpPurpose, code: &str) -> Result<Option<Profile>> {
        let inner = self.lobby.inner.clone();
        let code = code.trim().to_string();
        self.lobby
            .spawn(async move {
                let pending = inner.pending_otp(purpose)?;
                let req = OtpVerifyRequest {
                    request_id: pending.request_id,
                    code,
                };
                inner
                    .authed(|api, token| {
                        let r = req.clone();
                        async move {
                            if purpose == OtpPurpose::PhoneChange {
                                api.phone_change_verify(&token, &r).await
                            } else {
                                api.email_change_verify(&token, &r).await
                            }
                        }
                    })
                    .await?;
                inner.with_store(|s| s.clear_setting(setting_keys::PENDING_OTP))?;
                if let Err(e) = inner.sync.run(&inner, SyncTrigger::Explicit).await {
                    tracing::warn!(code = %e.code, "sync after a contact change failed; it will be retried");
                }
                inner.with_store(|s| s.profile())
            })
            .await
    }
}

/// A contact that signs its holder in, normalised, waiting for its code.
#[derive(Debug, Clone)]
enum NewContact {
    Email(String),
    Phone(String),
}

impl NewContact {
    fn purpose(&self) -> OtpPurpose {
        match self {
            NewContact::Email(_) => OtpPurpose::EmailChange,
            NewContact::Phone(_) => OtpPurpose::PhoneChange,
        }
    }
}

impl Store {
    /// The person's profile with queued (not yet confirmed) edits laid over it.
    pub fn profile(&self) -> crate::store::Result<Option<Profile>> {
        let base = self
            .conn
            .query_row(
                "SELECT id, legal_name, display_name, phone, email FROM profile LIMIT 1",
                [],
                |r| {
                    Ok(Profile {
                        person_id: r.get(0)?,
                        legal_name: r.get(1)?,
                        display_name: r.get(2)?,
                        phone: r.get(3)?,
                        email: r.get(4)?,
                        pending_edits: 0,
                    })
                },
            )
            .optional()?;
        let Some(mut p) = base else { return Ok(None) };
        let mut stmt = self.conn.prepare_cached(
            "SELECT e.display_name, e.email FROM profile_edits e
             JOIN outbox o ON o.id = e.mutation_id WHERE e.person_id = ?1 ORDER BY o.seq",
        )?;
        let edits = stmt.query_map([&p.person_id], |r| {
            Ok((
                r.get::<_, Option<String>>(0)?,
                r.get::<_, Option<String>>(1)?,
            ))
        })?;
        for edit in edits {
            let (name, email) = edit?;
            if let Some(n) = name {
                p.display_name = n;
            }
            if email.is_some() {
                p.email = email;
            }
            p.pending_edits += 1;
        }
        Ok(Some(p))
    }
}
