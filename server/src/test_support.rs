//! Fixtures for unit tests of the capability layer: a real SQLite database in a temp
//! directory with one project, one unit and its activated owner, written through the
//! storage interface.

use chrono::{DateTime, Utc};
use lobby_model::protocol::{ProjectKind, ProjectRecord, Role, UnitRecord};
use lobby_model::Weight;

use std::sync::Arc;

use crate::config::Limits;
use crate::ids::new_id;
use crate::mutations::Context;
use crate::server_key::ServerKey;
use crate::storage::{NewMembership, NewPerson, SqliteStorage, Storage};

pub(crate) struct World {
    pub db: SqliteStorage,
    pub key: Arc<ServerKey>,
    pub unit_id: String,
    pub owner_id: String,
    _dir: tempfile::TempDir,
}

impl World {
    pub fn db(&self) -> &dyn Storage {
        &self.db
    }

    /// What mutations are applied with: this world's key, production limits.
    pub fn ctx(&self) -> Context {
        Context {
            family_id: None,
            key: self.key.clone(),
            limits: Limits::default(),
        }
    }

    /// A new activated person with `role` in the unit; their id.
    pub fn add_member(&self, role: Role, now: DateTime<Utc>) -> String {
        let person_id = new_id();
        let unit_id = self.unit_id.clone();
        self.db()
            .write(|tx| {
                tx.insert_person(&person(&person_id, now))?;
                tx.insert_membership(
                    &NewMembership {
                        id: new_id(),
                        person_id: person_id.clone(),
                        unit_id: unit_id.clone(),
                        role,
                    },
                    now,
                )
            })
            .unwrap();
        person_id
    }
}

fn person(id: &str, now: DateTime<Utc>) -> NewPerson {
    NewPerson {
        id: id.to_string(),
        phone: Some(format!("+668{}", &id[id.len() - 8..])),
        email: None,
        legal_name: "สมชาย ใจดี".into(),
        display_name: "สมชาย".into(),
        activated_at: Some(now),
        created_at: now,
    }
}

pub(crate) fn world() -> World {
    let dir = tempfile::tempdir().unwrap();
    let db = SqliteStorage::open(&dir.path().join("lobby.db")).unwrap();
    let now = Utc::now();
    let project = ProjectRecord {
        id: new_id(),
        name: "ลุมพินี".into(),
        kind: ProjectKind::Condominium,
    };
    crate::registry::create_project(&db, &project, now).unwrap();
    let owner_id = new_id();
    let unit = UnitRecord {
        id: new_id(),
        project_id: project.id.clone(),
        number: "12/34".into(),
        ownership_ratio: Weight::from_micros(1_000_000),
        arrears_months: 0,
    };
    (&db as &dyn Storage)
        .write(|tx| {
            tx.insert_person(&person(&owner_id, now))?;
            tx.insert_unit(&unit, &owner_id, now)?;
            tx.insert_membership(
                &NewMembership {
                    id: new_id(),
                    person_id: owner_id.clone(),
                    unit_id: unit.id.clone(),
                    role: Role::Owner,
                },
                now,
            )
        })
        .unwrap();
    World {
        db,
        key: Arc::new(ServerKey::generate()),
        unit_id: unit.id,
        owner_id,
        _dir: dir,
    }
}
