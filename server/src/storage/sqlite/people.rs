//! People on SQLite (`people` table).

use rusqlite::{params, OptionalExtension, Row};

use super::{ms, opt_from_ms, Cached, SqliteTx};
use crate::error::AppResult;
use crate::storage::{NewPerson, PeopleTx, Person, PersonChange};

const PERSON_COLUMNS: &str =
    "SELECT id, phone, email, legal_name, display_name, password_hash, activated_at FROM people";

fn person_row(r: &Row) -> rusqlite::Result<Person> {
    Ok(Person {
        id: r.get(0)?,
        phone: r.get(1)?,
        email: r.get(2)?,
        legal_name: r.get(3)?,
        display_name: r.get(4)?,
        password_hash: r.get(5)?,
        activated_at: opt_from_ms(r.get(6)?),
    })
}

impl PeopleTx for SqliteTx<'_> {
    fn person(&mut self, person_id: &str) -> AppResult<Option<Person>> {
        Ok(self
            .tx
            .query_row_cached(
                &format!("{PERSON_COLUMNS} WHERE id = ?1"),
                [person_id],
                person_row,
            )
            .optional()?)
    }

    fn person_by_phone(&mut self, phone: &str) -> AppResult<Option<Person>> {
        Ok(self
            .tx
            .query_row_cached(
                &format!("{PERSON_COLUMNS} WHERE phone = ?1"),
                [phone],
                person_row,
            )
            .optional()?)
    }

    fn activated_people_by_email(&mut self, email: &str) -> AppResult<Vec<Person>> {
        let mut stmt = self.tx.prepare_cached(&format!(
            "{PERSON_COLUMNS} WHERE email = ?1 AND activated_at IS NOT NULL ORDER BY activated_at"
        ))?;
        let people = stmt
            .query_map([email], person_row)?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(people)
    }

    fn insert_person(&mut self, p: &NewPerson) -> AppResult<()> {
        self.tx.execute_cached(
            "INSERT INTO people (id, phone, email, legal_name, display_name, activated_at, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                p.id,
                p.phone,
                p.email,
                p.legal_name,
                p.display_name,
                p.activated_at.map(ms),
                ms(p.created_at)
            ],
        )?;
        Ok(())
    }

    fn update_person(&mut self, person_id: &str, c: &PersonChange) -> AppResult<()> {
        self.tx.execute_cached(
            "UPDATE people SET phone = COALESCE(?2, phone), email = COALESCE(?3, email),
                display_name = COALESCE(?4, display_name), password_hash = COALESCE(?5, password_hash),
                activated_at = COALESCE(?6, activated_at)
             WHERE id = ?1",
            params![
                person_id,
                c.phone,
                c.email,
                c.display_name,
                c.password_hash,
                c.activated_at.map(ms)
            ],
        )?;
        Ok(())
    }

    fn set_person_email(&mut self, person_id: &str, email: Option<&str>) -> AppResult<()> {
        self.tx.execute_cached(
            "UPDATE people SET email = ?2 WHERE id = ?1",
            params![person_id, email],
        )?;
        Ok(())
    }
}
