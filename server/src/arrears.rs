//! Arrears (DESIGN.md §2.7, s.18/1): staff record how many months of common fees a unit
//! owes. A unit 6 months or more behind does not vote at a general meeting
//! (`domain::voting::eligibility`). The unit's record is logged again in its scope, so
//! its phones see the flag. A unit of another project is answered like an unknown one.

use chrono::{DateTime, Utc};
use lobby_model::domain::voting::eligibility::check_arrears_months;

use crate::change_log::records;
use crate::error::{AppError, AppResult};
use crate::storage::{StaffMember, Storage};

/// Sets `unit_id`'s months in arrears.
pub fn set_arrears(
    db: &dyn Storage,
    staff: &StaffMember,
    unit_id: &str,
    months: u32,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let months = check_arrears_months(months)?;
    let no_such_unit = || AppError::not_found("no such unit");
    db.write(|tx| {
        let unit = tx.unit(unit_id)?.ok_or_else(no_such_unit)?;
        if !staff.manages(&unit.record.project_id) {
            return Err(no_such_unit());
        }
        if unit.record.arrears_months == months {
            return Ok(());
        }
        tx.set_unit_arrears(unit_id, months)?;
        let unit = tx.unit(unit_id)?.ok_or_else(no_such_unit)?;
        records::unit_created(tx, &unit.record, now)
    })
}
