//! The unit drop-down and the person's role in a unit, read from the replica.

use crate::domain::weight::Weight;
use crate::protocol::Role;
use crate::store::{Result, Store};

/// One entry of the unit drop-down.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct UnitSummary {
    pub unit_id: String,
    pub unit_number: String,
    pub project_id: String,
    pub project_name: String,
    pub role: Role,
    /// The unit's ownership ratio (its vote weight before the s.45 cap), exact.
    pub ownership_ratio: Weight,
    pub arrears_months: u32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Membership {
    pub unit_id: String,
    pub role: Role,
}

impl Store {
    /// The person's units across projects, for the unit drop-down.
    pub fn units(&self) -> Result<Vec<UnitSummary>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT m.unit_id, COALESCE(u.number, ''), m.project_id, COALESCE(p.name, ''), m.role,
                    COALESCE(u.ratio_micros, 0), COALESCE(u.arrears_months, 0)
             FROM memberships m
             LEFT JOIN units u ON u.id = m.unit_id
             LEFT JOIN projects p ON p.id = m.project_id
             ORDER BY p.name, u.number",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(UnitSummary {
                unit_id: r.get(0)?,
                unit_number: r.get(1)?,
                project_id: r.get(2)?,
                project_name: r.get(3)?,
                role: Role::parse(&r.get::<_, String>(4)?).unwrap_or(Role::Resident),
                ownership_ratio: Weight::from_micros(r.get(5)?),
                arrears_months: r.get::<_, i64>(6)? as u32,
            })
        })?;
        Ok(rows.collect::<std::result::Result<_, _>>()?)
    }

    /// The person's role in a unit, from the replica.
    pub fn role_in_unit(&self, unit_id: &str) -> Result<Option<Role>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT role FROM memberships WHERE unit_id = ?1")?;
        let mut rows = stmt.query([unit_id])?;
        match rows.next()? {
            Some(r) => Ok(Role::parse(&r.get::<_, String>(0)?)),
            None => Ok(None),
        }
    }
}
