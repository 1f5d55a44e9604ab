//! People's accounts as sign-in and onboarding need them: which activated account a phone
//! or e-mail signs in to, where a person's codes go, whether an e-mail is taken.
//!
//! A person exists from the registry import on; they have an account once activated.
//! Only activated accounts sign in, receive codes or hold an e-mail for sign-in (login
//! by e-mail must stay unambiguous).

use lobby_model::domain::contact::Destination;

use crate::error::{AppError, AppResult};
use crate::storage::{Storage, Tx};

/// An account that may sign in.
#[derive(Debug, Clone)]
pub struct LoginAccount {
    pub person_id: String,
    pub password_hash: Option<String>,
}

/// The activated account a phone or e-mail belongs to (by e-mail: the earliest
/// activated, should two share one).
pub fn login_account(
    db: &dyn Storage,
    destination: &Destination,
) -> AppResult<Option<LoginAccount>> {
    db.read(|tx| {
        let person = match destination {
            Destination::Phone(phone) => tx.person_by_phone(phone)?.filter(|p| p.is_activated()),
            Destination::Email(email) => tx.activated_people_by_email(email)?.into_iter().next(),
        };
        Ok(person.map(|p| LoginAccount {
            person_id: p.id,
            password_hash: p.password_hash,
        }))
    })
}

/// Where an activated person's codes go (their phone, else e-mail).
pub fn person_destination(db: &dyn Storage, person_id: &str) -> AppResult<Option<Destination>> {
    db.read(|tx| {
        Ok(match tx.person(person_id)?.filter(|p| p.is_activated()) {
            Some(p) => match (p.phone, p.email) {
                (Some(phone), _) => Some(Destination::Phone(phone)),
                (None, Some(email)) => Some(Destination::Email(email)),
                (None, None) => None,
            },
            None => None,
        })
    })
}

/// The normalised phone and e-mail a person signs in with.
pub fn login_destinations(db: &dyn Storage, person_id: &str) -> AppResult<Vec<String>> {
    db.read(|tx| {
        Ok(match tx.person(person_id)? {
            Some(p) => p.phone.into_iter().chain(p.email).collect(),
            None => Vec::new(),
        })
    })
}

/// `unauthorized` unless the person has an activated account.
pub fn require_activated(tx: &mut dyn Tx, person_id: &str) -> AppResult<()> {
    match tx.person(person_id)? {
        Some(p) if p.is_activated() => Ok(()),
        _ => Err(AppError::unauthorized()),
    }
}

/// Whether another activated account uses this e-mail.
pub fn email_taken(tx: &mut dyn Tx, email: &str, except_person_id: &str) -> AppResult<bool> {
    Ok(tx
        .activated_people_by_email(email)?
        .iter()
        .any(|p| p.id != except_person_id))
}

/// Before `person_id` is activated: clears the e-mail it has from the registry if another
/// activated account already uses it, so two accounts never share a login e-mail (a
/// unique index guards the same invariant underneath).
pub fn release_taken_email(tx: &mut dyn Tx, person_id: &str) -> AppResult<()> {
    let Some(email) = tx.person(person_id)?.and_then(|p| p.email) else {
        return Ok(());
    };
    if email_taken(tx, &email, person_id)? {
        tracing::info!(%person_id, "registry e-mail already used by another account; left unset");
        tx.set_person_email(person_id, None)?;
    }
    Ok(())
}
