//! Staff credentials, projects, the owner-registry import and onboarding tokens.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use lobby_model::domain::registry::{registry_error, RegistryRow, RowProblem};
use lobby_model::protocol::{ProjectKind, ProjectRecord, Record, UnitRecord};
use rusqlite::{params, OptionalExtension, Transaction};

use super::sync::append_change;
use super::{conflict_or, ms, new_id};
use crate::error::{AppError, AppResult};
use crate::storage::{NewOnboardingToken, NewStaff, StaffMember};
use crate::sync_rules::{project_scope, unit_scope};

pub(super) fn add_staff(tx: &Transaction, s: &NewStaff, now: DateTime<Utc>) -> AppResult<()> {
    if let Some(p) = &s.project_id {
        if project(tx, p)?.is_none() {
            return Err(AppError::not_found("no such project"));
        }
    }
    tx.execute(
        "INSERT INTO staff (id, name, project_id, token_digest, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![s.id, s.name, s.project_id, s.token_digest, ms(now)],
    )
    .map_err(|e| conflict_or(e, "this staff credential"))?;
    Ok(())
}

pub(super) fn revoke_staff(tx: &Transaction, staff_id: &str, now: DateTime<Utc>) -> AppResult<()> {
    let n = tx.execute(
        "UPDATE staff SET revoked_at = COALESCE(revoked_at, ?2) WHERE id = ?1",
        params![staff_id, ms(now)],
    )?;
    if n == 0 {
        return Err(AppError::not_found("no such staff credential"));
    }
    Ok(())
}

pub(super) fn staff_by_token(tx: &Transaction, digest: &str) -> AppResult<Option<StaffMember>> {
    Ok(tx
        .query_row(
            "SELECT id, name, project_id FROM staff WHERE token_digest = ?1 AND revoked_at IS NULL",
            [digest],
            |r| {
                Ok(StaffMember {
                    id: r.get(0)?,
                    name: r.get(1)?,
                    project_id: r.get(2)?,
                })
            },
        )
        .optional()?)
}

pub(super) fn create_project(
    tx: &Transaction,
    p: &ProjectRecord,
    now: DateTime<Utc>,
) -> AppResult<()> {
    tx.execute(
        "INSERT INTO projects (id, name, kind, created_at) VALUES (?1, ?2, ?3, ?4)",
        params![p.id, p.name, p.kind.as_str(), ms(now)],
    )
    .map_err(|e| conflict_or(e, "this project"))?;
    append_change(tx, &project_scope(&p.id), &Record::Project(p.clone()), now)?;
    Ok(())
}

pub(super) fn project(tx: &Transaction, project_id: &str) -> AppResult<Option<ProjectRecord>> {
    let row = tx
        .query_row(
            "SELECT id, name, kind FROM projects WHERE id = ?1",
            [project_id],
            |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                ))
            },
        )
        .optional()?;
    row.map(|(id, name, kind)| {
        let kind = ProjectKind::parse(&kind)
            .ok_or_else(|| AppError::server("project kind", "unknown kind in database"))?;
        Ok(ProjectRecord { id, name, kind })
    })
    .transpose()
}

pub(super) fn unit_project_id(tx: &Transaction, unit_id: &str) -> AppResult<Option<String>> {
    Ok(tx
        .query_row(
            "SELECT project_id FROM units WHERE id = ?1",
            [unit_id],
            |r| r.get(0),
        )
        .optional()?)
}

pub(super) fn import_owners(
    tx: &Transaction,
    project_id: &str,
    rows: &[RegistryRow],
    tokens: &[NewOnboardingToken],
    now: DateTime<Utc>,
) -> AppResult<Vec<String>> {
    if project(tx, project_id)?.is_none() {
        return Err(AppError::not_found("no such project"));
    }
    if rows.len() != tokens.len() {
        return Err(AppError::server("import", "one token per row expected"));
    }
    // Units already in the project are row problems, reported like parse problems.
    let mut problems = Vec::new();
    {
        let mut exists = tx.prepare("SELECT 1 FROM units WHERE project_id = ?1 AND number = ?2")?;
        for row in rows {
            if exists.exists(params![project_id, row.unit])? {
                problems.push(RowProblem {
                    line: row.line,
                    message: format!("unit {} is already in this project", row.unit),
                });
            }
        }
    }
    if !problems.is_empty() {
        return Err(registry_error(&problems).into());
    }

    // Same phone (or, with no phone, same e-mail) on several rows → one person; a phone
    // already known from another import is that person too.
    let mut people: HashMap<String, String> = HashMap::new();
    let mut unit_ids = Vec::with_capacity(rows.len());
    for (row, token) in rows.iter().zip(tokens) {
        let key = match (&row.phone, &row.email) {
            (Some(p), _) => Some(format!("phone:{p}")),
            (None, Some(e)) => Some(format!("email:{e}")),
            (None, None) => None,
        };
        let known = match &key {
            Some(k) => match people.get(k) {
                Some(id) => Some(id.clone()),
                None => match &row.phone {
                    Some(p) => tx
                        .query_row("SELECT id FROM people WHERE phone = ?1", [p], |r| {
                            r.get::<_, String>(0)
                        })
                        .optional()?,
                    None => None,
                },
            },
            None => None,
        };
        let person_id = match known {
            Some(id) => id,
            None => {
                let id = new_id();
                tx.execute(
                    "INSERT INTO people (id, phone, email, legal_name, display_name, created_at)
                     VALUES (?1, ?2, ?3, ?4, ?4, ?5)",
                    params![id, row.phone, row.email, row.owner_name, ms(now)],
                )?;
                id
            }
        };
        if let Some(k) = key {
            people.insert(k, person_id.clone());
        }

        let unit = UnitRecord {
            id: new_id(),
            project_id: project_id.to_string(),
            number: row.unit.clone(),
            ownership_ratio: row.ratio,
            arrears_months: 0,
        };
        tx.execute(
            "INSERT INTO units (id, project_id, number, ratio_micros, arrears_months, owner_person_id, created_at)
             VALUES (?1, ?2, ?3, ?4, 0, ?5, ?6)",
            params![unit.id, unit.project_id, unit.number, unit.ownership_ratio.micros(), person_id, ms(now)],
        )?;
        insert_token(tx, &unit.id, token, now)?;
        append_change(tx, &unit_scope(&unit.id), &Record::Unit(unit.clone()), now)?;
        unit_ids.push(unit.id);
    }
    Ok(unit_ids)
}

pub(super) fn reissue_onboarding(
    tx: &Transaction,
    unit_id: &str,
    token: &NewOnboardingToken,
    now: DateTime<Utc>,
) -> AppResult<()> {
    if unit_project_id(tx, unit_id)?.is_none() {
        return Err(AppError::not_found("no such unit"));
    }
    tx.execute(
        "UPDATE onboarding_tokens SET voided_at = ?2 WHERE unit_id = ?1 AND used_at IS NULL AND voided_at IS NULL",
        params![unit_id, ms(now)],
    )?;
    insert_token(tx, unit_id, token, now)
}

fn insert_token(
    tx: &Transaction,
    unit_id: &str,
    t: &NewOnboardingToken,
    now: DateTime<Utc>,
) -> AppResult<()> {
    tx.execute(
        "INSERT INTO onboarding_tokens (id, unit_id, token_digest, expires_at, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![t.id, unit_id, t.digest, ms(t.expires_at), ms(now)],
    )?;
    Ok(())
}
