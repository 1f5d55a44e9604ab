//! [`ProfileClient`]: read and edit the person's own profile (works offline).

use chrono::Utc;
use rusqlite::OptionalExtension;

use crate::client::Lobby;
use crate::domain::contact::normalize_email;
use crate::domain::profile::check_display_name;
use crate::error::{LobbyError, Result};
use crate::protocol::Mutation;
use crate::store::Store;

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

    /// Edits the person's own contact fields. Queued (works offline) and shown at once;
    /// the server confirms or refuses on the next sync.
    pub fn update(&self, display_name: Option<&str>, email: Option<&str>) -> Result<()> {
        let inner = &self.lobby.inner;
        let person = inner.require_person()?;
        if display_name.is_none() && email.is_none() {
            return Err(LobbyError::invalid("nothing to change"));
        }
        let mutation = Mutation::ProfileUpdate {
            display_name: display_name.map(check_display_name).transpose()?,
            email: email.map(normalize_email).transpose()?,
        };
        inner.with_store_mut(|s| s.enqueue(&person, mutation, Utc::now()))?;
        inner.after_local_write()
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
