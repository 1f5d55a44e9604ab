//! Projects and the owner registry (DESIGN.md §2.1): staff create a project, import its
//! owners (people by phone, units, one onboarding token per unit, the units logged) and
//! reissue a unit's onboarding token.
//!
//! An import is all or nothing: it runs in one unit of work, and a unit number already
//! in the project is a `registry_invalid` row problem reported like a parse problem.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use lobby_model::domain::registry::{registry_error, RegistryRow, RowProblem};
use lobby_model::protocol::{ProjectRecord, UnitRecord};

use crate::change_log::records;
use crate::error::{AppError, AppResult};
use crate::ids::new_id;
use crate::storage::{Inserted, NewOnboardingToken, NewPerson, StaffMember, Storage, Tx};

/// Creates the project and logs its record in its scope.
pub fn create_project(
    db: &dyn Storage,
    project: &ProjectRecord,
    now: DateTime<Utc>,
) -> AppResult<()> {
    db.write(|tx| {
        if tx.insert_project(project, now)? == Inserted::Duplicate {
            return Err(AppError::already_exists("this project"));
        }
        records::project_created(tx, project, now)
    })
}

/// The project a unit belongs to.
pub fn unit_project_id(db: &dyn Storage, unit_id: &str) -> AppResult<Option<String>> {
    db.read(|tx| Ok(tx.unit(unit_id)?.map(|u| u.record.project_id)))
}

/// Imports parsed registry rows (one token per row, same order) into the project;
/// returns the new unit ids in row order. Rows with the same phone (or, with no phone,
/// the same e-mail) are one person; a phone already known is that person.
pub fn import_owners(
    db: &dyn Storage,
    staff: &StaffMember,
    project_id: &str,
    rows: &[RegistryRow],
    tokens: &[NewOnboardingToken],
    now: DateTime<Utc>,
) -> AppResult<Vec<String>> {
    db.write(|tx| {
        if tx.project(project_id)?.is_none() {
            return Err(AppError::not_found("no such project"));
        }
        if rows.len() != tokens.len() {
            return Err(AppError::server("import", "one token per row expected"));
        }
        let mut problems = Vec::new();
        for row in rows {
            if tx.unit_by_number(project_id, &row.unit)?.is_some() {
                problems.push(RowProblem {
                    line: row.line,
                    message: format!("unit {} is already in this project", row.unit),
                });
            }
        }
        if !problems.is_empty() {
            return Err(registry_error(&problems).into());
        }

        let mut people: HashMap<String, String> = HashMap::new();
        let mut unit_ids = Vec::with_capacity(rows.len());
        for (row, token) in rows.iter().zip(tokens) {
            let person_id = registry_person(tx, &mut people, row, now)?;
            let unit = UnitRecord {
                id: new_id(),
                project_id: project_id.to_string(),
                number: row.unit.clone(),
                ownership_ratio: row.ratio,
                arrears_months: 0,
            };
            tx.insert_unit(&unit, &person_id, now)?;
            tx.insert_onboarding_token(&unit.id, token, now)?;
            records::unit_created(tx, &unit, now)?;
            unit_ids.push(unit.id);
        }
        crate::audit::record(
            tx,
            project_id,
            staff,
            crate::audit::AuditAction::OwnersImport,
            project_id,
            now,
        )?;
        Ok(unit_ids)
    })
}

/// The person a registry row names: one already met in this import (same phone, or
/// same e-mail without a phone), else the person of a known phone, else a new person.
fn registry_person(
    tx: &mut dyn Tx,
    seen: &mut HashMap<String, String>,
    row: &RegistryRow,
    now: DateTime<Utc>,
) -> AppResult<String> {
    let key = match (&row.phone, &row.email) {
        (Some(p), _) => Some(format!("phone:{p}")),
        (None, Some(e)) => Some(format!("email:{e}")),
        (None, None) => None,
    };
    let known = match &key {
        Some(k) => match seen.get(k) {
            Some(id) => Some(id.clone()),
            None => match &row.phone {
                Some(p) => tx.person_by_phone(p)?.map(|p| p.id),
                None => None,
            },
        },
        None => None,
    };
    let person_id = match known {
        Some(id) => id,
        None => {
            let id = new_id();
            tx.insert_person(&NewPerson {
                id: id.clone(),
                phone: row.phone.clone(),
                email: row.email.clone(),
                legal_name: row.owner_name.clone(),
                display_name: row.owner_name.clone(),
                activated_at: None,
                created_at: now,
            })?;
            id
        }
    };
    if let Some(k) = key {
        seen.insert(k, person_id.clone());
    }
    Ok(person_id)
}

/// Voids the unit's unused tokens and stores a new one; `not_found` for an unknown unit.
///
/// Audited when `staff` is given (an admin request); the server machine's own tools
/// (`Storage::reissue_onboarding`) act without a credential.
pub fn reissue_onboarding(
    db: &dyn Storage,
    staff: Option<&StaffMember>,
    unit_id: &str,
    token: &NewOnboardingToken,
    now: DateTime<Utc>,
) -> AppResult<()> {
    db.write(|tx| {
        let Some(unit) = tx.unit(unit_id)? else {
            return Err(AppError::not_found("no such unit"));
        };
        tx.void_unused_onboarding_tokens(unit_id, now)?;
        tx.insert_onboarding_token(unit_id, token, now)?;
        if let Some(staff) = staff {
            crate::audit::record(
                tx,
                &unit.record.project_id,
                staff,
                crate::audit::AuditAction::OnboardingReissue,
                unit_id,
                now,
            )?;
        }
        Ok(())
    })
}
