//! Projects and units on SQLite (`projects`, `units` tables).

use chrono::{DateTime, Utc};
use lobby_model::protocol::{ProjectKind, ProjectRecord, UnitRecord};
use lobby_model::Weight;
use rusqlite::{params, OptionalExtension, Row};

use super::{inserted, ms, Cached, SqliteTx};
use crate::error::{AppError, AppResult};
use crate::storage::{Inserted, StoredUnit, UnitsTx};

const UNIT_COLUMNS: &str =
    "SELECT id, project_id, number, ratio_micros, arrears_months, owner_person_id FROM units";

fn unit_row(r: &Row) -> rusqlite::Result<StoredUnit> {
    Ok(StoredUnit {
        record: UnitRecord {
            id: r.get(0)?,
            project_id: r.get(1)?,
            number: r.get(2)?,
            ownership_ratio: Weight::from_micros(r.get(3)?),
            arrears_months: r.get(4)?,
        },
        owner_person_id: r.get(5)?,
    })
}

impl UnitsTx for SqliteTx<'_> {
    fn insert_project(&mut self, p: &ProjectRecord, now: DateTime<Utc>) -> AppResult<Inserted> {
        inserted(self.tx.execute_cached(
            "INSERT INTO projects (id, name, kind, created_at) VALUES (?1, ?2, ?3, ?4)",
            params![p.id, p.name, p.kind.as_str(), ms(now)],
        ))
    }

    fn project(&mut self, project_id: &str) -> AppResult<Option<ProjectRecord>> {
        let row = self
            .tx
            .query_row_cached(
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

    fn set_unit_arrears(&mut self, unit_id: &str, months: u32) -> AppResult<bool> {
        Ok(self.tx.execute_cached(
            "UPDATE units SET arrears_months = ?2 WHERE id = ?1",
            params![unit_id, months],
        )? == 1)
    }

    fn unit(&mut self, unit_id: &str) -> AppResult<Option<StoredUnit>> {
        Ok(self
            .tx
            .query_row_cached(
                &format!("{UNIT_COLUMNS} WHERE id = ?1"),
                [unit_id],
                unit_row,
            )
            .optional()?)
    }

    fn unit_by_number(&mut self, project_id: &str, number: &str) -> AppResult<Option<StoredUnit>> {
        Ok(self
            .tx
            .query_row_cached(
                &format!("{UNIT_COLUMNS} WHERE project_id = ?1 AND number = ?2"),
                params![project_id, number],
                unit_row,
            )
            .optional()?)
    }

    fn insert_unit(
        &mut self,
        unit: &UnitRecord,
        owner_person_id: &str,
        now: DateTime<Utc>,
    ) -> AppResult<()> {
        self.tx.execute_cached(
            "INSERT INTO units (id, project_id, number, ratio_micros, arrears_months, owner_person_id, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                unit.id,
                unit.project_id,
                unit.number,
                unit.ownership_ratio.micros(),
                unit.arrears_months,
                owner_person_id,
                ms(now)
            ],
        )?;
        Ok(())
    }
}
