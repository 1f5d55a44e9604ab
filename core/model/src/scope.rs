//! Sync scopes: the named slices of server state a person may see (DESIGN.md §4).
//!
//! Every change in the server's change log belongs to exactly one scope; a phone pulls the
//! scopes its person may see, with a cursor per scope, and purges a scope it loses. The
//! wire form is `kind:id`:
//!
//! | scope | what it holds | who sees it |
//! | --- | --- | --- |
//! | `person:<person_id>` | the person's profile and memberships | that person |
//! | `unit:<unit_id>` | the unit, its parcels | its members |
//! | `project:<project_id>` | the project | members of its units |
//! | `owners:<unit_id>` | the unit's invitations and members | the unit's owners |
//! | `meetings:<project_id>` | the project's meetings and agenda items | members of its units, and proxy holders at its meetings |
//! | `policies:platform` | the versions in force of the terms, privacy policy and marketing notice | everyone signed in |
//!
//! This module is the grammar only; which scopes a person sees is decided by the server
//! from memberships, and what a lost scope takes with it on the phone is declared with
//! each record kind.

use std::fmt;

/// A parsed scope.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Scope<'a> {
    Person(&'a str),
    Unit(&'a str),
    Project(&'a str),
    Owners(&'a str),
    Meetings(&'a str),
    /// The documents in force; the id is always [`PLATFORM`].
    Policies(&'a str),
}

/// The id of the one `policies:` scope.
pub const PLATFORM: &str = "platform";

impl<'a> Scope<'a> {
    /// Reads `kind:id`; `None` for an unknown kind or an empty id.
    pub fn parse(s: &'a str) -> Option<Scope<'a>> {
        let (kind, id) = s.split_once(':')?;
        if id.is_empty() {
            return None;
        }
        match kind {
            "person" => Some(Scope::Person(id)),
            "unit" => Some(Scope::Unit(id)),
            "project" => Some(Scope::Project(id)),
            "owners" => Some(Scope::Owners(id)),
            "meetings" => Some(Scope::Meetings(id)),
            "policies" => Some(Scope::Policies(id)),
            _ => None,
        }
    }

    /// The unit a `unit:` or `owners:` scope is about.
    pub fn unit_id(self) -> Option<&'a str> {
        match self {
            Scope::Unit(id) | Scope::Owners(id) => Some(id),
            _ => None,
        }
    }
}

impl fmt::Display for Scope<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Scope::Person(id) => write!(f, "person:{id}"),
            Scope::Unit(id) => write!(f, "unit:{id}"),
            Scope::Project(id) => write!(f, "project:{id}"),
            Scope::Owners(id) => write!(f, "owners:{id}"),
            Scope::Meetings(id) => write!(f, "meetings:{id}"),
            Scope::Policies(id) => write!(f, "policies:{id}"),
        }
    }
}

pub fn person(person_id: &str) -> String {
    Scope::Person(person_id).to_string()
}

pub fn unit(unit_id: &str) -> String {
    Scope::Unit(unit_id).to_string()
}

pub fn project(project_id: &str) -> String {
    Scope::Project(project_id).to_string()
}

/// What only a unit's owners see: its invitations and its residents and tenants.
pub fn owners(unit_id: &str) -> String {
    Scope::Owners(unit_id).to_string()
}

/// A project's meetings and agenda: its members' and its meetings' proxy holders' (who may
/// have no unit there, and must not see the rest of the project).
pub fn meetings(project_id: &str) -> String {
    Scope::Meetings(project_id).to_string()
}

/// The documents in force, the same for everyone signed in.
pub fn policies() -> String {
    Scope::Policies(PLATFORM).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_round_trips_through_its_wire_form() {
        for s in [
            "person:p-1",
            "unit:u-1",
            "project:j-1",
            "owners:u-1",
            "meetings:j-1",
            "policies:platform",
        ] {
            assert_eq!(Scope::parse(s).map(|x| x.to_string()).as_deref(), Some(s));
        }
        assert_eq!(unit("u-1"), "unit:u-1");
        assert_eq!(owners("u-1"), "owners:u-1");
    }

    #[test]
    fn malformed_scopes_are_none() {
        for s in ["", "unit", "unit:", "room:1", ":x"] {
            assert_eq!(Scope::parse(s), None, "{s}");
        }
    }

    #[test]
    fn unit_and_owners_scopes_name_their_unit() {
        assert_eq!(
            Scope::parse("owners:u-9").and_then(Scope::unit_id),
            Some("u-9")
        );
        assert_eq!(Scope::parse("person:p").and_then(Scope::unit_id), None);
    }
}
