//! One pull page for a person (DESIGN.md §4): the scopes they may see (from their active
//! memberships), whether their replica must reset, and the next page of changes with the
//! cursors after it — all decided by `crate::sync_rules` from what one read snapshot
//! holds. Records are spliced into the answer as stored, without re-parsing.

use std::collections::{BTreeMap, BTreeSet};

use lobby_model::protocol::PullRequest;
use serde::Serialize;
use serde_json::value::RawValue;

use crate::error::AppResult;
use crate::storage::{Storage, Tx};
use crate::sync_rules::{
    needs_reset, next_cursors, page_limit, removed_scopes, visible_scopes, ActiveMembership,
};

/// One change-log entry with its record as stored JSON.
#[derive(Debug, Serialize)]
pub struct RawChange {
    pub seq: i64,
    pub scope: String,
    pub record: Box<RawValue>,
}

/// A pull answer; serialises exactly like `protocol::PullResponse`.
#[derive(Debug, Serialize)]
pub struct PullPage {
    pub epoch: u32,
    pub reset: bool,
    pub changes: Vec<RawChange>,
    pub cursors: BTreeMap<String, i64>,
    pub removed_scopes: Vec<String>,
    pub has_more: bool,
}

/// The scopes `person_id` may see now, from their active memberships and the proxies
/// they hold: what a pull
/// pages, and what a file download is checked against (`crate::files`).
pub fn scopes_visible_now(tx: &mut dyn Tx, person_id: &str) -> AppResult<BTreeSet<String>> {
    let memberships: Vec<ActiveMembership> = tx
        .active_memberships_of(person_id)?
        .into_iter()
        .map(|m| ActiveMembership {
            unit_id: m.unit_id,
            project_id: m.project_id,
            role: m.role,
        })
        .collect();
    let proxy_projects = tx.proxy_projects(person_id)?;
    Ok(visible_scopes(person_id, &memberships, &proxy_projects))
}

/// The page after `request`'s cursors for `person_id`, or a reset.
pub fn pull(db: &dyn Storage, person_id: &str, request: &PullRequest) -> AppResult<PullPage> {
    db.read(|tx| {
        let epoch = tx.sync_epoch()?;
        let floor = tx.retention_floor()?;
        if needs_reset(request.epoch, epoch, &request.cursors, floor) {
            return Ok(PullPage {
                epoch,
                reset: true,
                changes: Vec::new(),
                cursors: BTreeMap::new(),
                removed_scopes: Vec::new(),
                has_more: false,
            });
        }
        let visible = scopes_visible_now(tx, person_id)?;
        let limit = page_limit(request.limit);

        // Each scope's next `limit + 1` entries, merged in global order: the page is the
        // first `limit` of them, and one more tells whether there is more.
        let mut rows: Vec<(i64, String, String)> = Vec::new();
        for scope in &visible {
            let after = request.cursors.get(scope).copied().unwrap_or(0);
            for c in tx.changes_after(scope, after, limit + 1)? {
                rows.push((c.seq, scope.clone(), c.record_json));
            }
        }
        rows.sort_unstable_by_key(|(seq, _, _)| *seq);
        let has_more = rows.len() > limit;
        rows.truncate(limit);
        let head = tx.change_log_head()?;
        let last = rows.last().map(|(seq, _, _)| *seq);
        let changes = rows
            .into_iter()
            .map(|(seq, scope, record)| {
                let record = RawValue::from_string(record)?;
                Ok(RawChange { seq, scope, record })
            })
            .collect::<AppResult<Vec<_>>>()?;
        Ok(PullPage {
            epoch,
            reset: false,
            changes,
            cursors: next_cursors(&visible, &request.cursors, last, has_more, head),
            removed_scopes: removed_scopes(&request.cursors, &visible),
            has_more,
        })
    })
}

#[cfg(test)]
mod tests {
    use chrono::Utc;
    use lobby_model::protocol::{PullRequest, Role};
    use lobby_model::scope;

    use super::pull;
    use crate::change_log::records;
    use crate::test_support::world;

    fn first_pull() -> PullRequest {
        PullRequest {
            epoch: None,
            cursors: Default::default(),
            limit: None,
        }
    }

    #[test]
    fn owners_see_the_owners_scope_and_residents_do_not() {
        let w = world();
        let now = Utc::now();
        let resident = w.add_member(Role::Resident, now);
        w.db()
            .write(|tx| records::member_renamed(tx, &resident, now))
            .unwrap();
        let owners = scope::owners(&w.unit_id);
        let owner_page = pull(w.db(), &w.owner_id, &first_pull()).unwrap();
        assert!(owner_page.changes.iter().any(|c| c.scope == owners));
        assert!(owner_page.cursors.contains_key(&owners));
        let resident_page = pull(w.db(), &resident, &first_pull()).unwrap();
        assert!(resident_page.changes.iter().all(|c| c.scope != owners));
        assert!(!resident_page.cursors.contains_key(&owners));
        assert!(resident_page.cursors.contains_key(&scope::unit(&w.unit_id)));
    }

    #[test]
    fn another_epoch_answers_reset() {
        let w = world();
        let epoch = crate::change_log::bump_epoch(w.db()).unwrap();
        let mut req = first_pull();
        req.epoch = Some(epoch - 1);
        let page = pull(w.db(), &w.owner_id, &req).unwrap();
        assert!(page.reset && page.changes.is_empty());
    }
}
