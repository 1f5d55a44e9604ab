//! The downstream sync rules (DESIGN.md §4) as pure functions: which scopes a person sees,
//! when a client must reset, how big a page is, and where cursors land after a page.
//! `change_log::pull` reads the rows through storage; these decide what they mean.

use std::collections::{BTreeMap, BTreeSet};

use lobby_model::protocol::Role;
use lobby_model::scope;

use crate::config::{DEFAULT_PULL_LIMIT, MAX_PULL_LIMIT};

/// One active membership as the scope rules need it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActiveMembership {
    pub unit_id: String,
    pub project_id: String,
    pub role: Role,
}

/// A person sees their own scope, the unit of each active membership and that unit's
/// project; an owner also sees the unit's `owners:` scope (invitations and members),
/// which residents and tenants must not see (the codes' state and who else lives there
/// are the owner's business). Members see their projects' meetings, and so does a proxy
/// holder at a meeting of a project where they hold no unit (`proxy_projects`).
/// Everyone sees the documents in force (`policies:platform`).
pub fn visible_scopes(
    person_id: &str,
    memberships: &[ActiveMembership],
    proxy_projects: &[String],
) -> BTreeSet<String> {
    let mut scopes = BTreeSet::new();
    scopes.insert(scope::person(person_id));
    scopes.insert(scope::policies());
    for p in proxy_projects {
        scopes.insert(scope::meetings(p));
    }
    for m in memberships {
        scopes.insert(scope::unit(&m.unit_id));
        scopes.insert(scope::project(&m.project_id));
        scopes.insert(scope::meetings(&m.project_id));
        if m.role == Role::Owner {
            scopes.insert(scope::owners(&m.unit_id));
        }
    }
    scopes
}

/// A client must start over when its replica was built under another epoch, or when it
/// holds a cursor older than what the server still keeps (`retention_floor`: every change
/// with `seq <= floor` may be gone). A first sync (`None`) never resets.
pub fn needs_reset(
    client_epoch: Option<u32>,
    server_epoch: u32,
    cursors: &BTreeMap<String, i64>,
    retention_floor: i64,
) -> bool {
    client_epoch.is_some_and(|e| e != server_epoch)
        || cursors.values().any(|c| *c < retention_floor)
}

/// Page size: what the client asked for, at least 1, at most the server's cap.
pub fn page_limit(requested: Option<u32>) -> usize {
    requested
        .unwrap_or(DEFAULT_PULL_LIMIT)
        .clamp(1, MAX_PULL_LIMIT) as usize
}

/// Cursors after a page, for every visible scope. With more to come, every scope is
/// complete up to the page's last `seq` (the page is in global `seq` order); otherwise up
/// to the log's head read in the same transaction. A cursor never moves backwards.
pub fn next_cursors(
    visible: &BTreeSet<String>,
    old: &BTreeMap<String, i64>,
    last_in_page: Option<i64>,
    has_more: bool,
    head: i64,
) -> BTreeMap<String, i64> {
    let reached = if has_more {
        last_in_page.unwrap_or(0)
    } else {
        head
    };
    visible
        .iter()
        .map(|s| {
            let before = old.get(s).copied().unwrap_or(0);
            (s.clone(), before.max(reached))
        })
        .collect()
}

/// Scopes the client asked about that the person may no longer see.
pub fn removed_scopes(
    requested: &BTreeMap<String, i64>,
    visible: &BTreeSet<String>,
) -> Vec<String> {
    requested
        .keys()
        .filter(|s| !visible.contains(*s))
        .cloned()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(pairs: &[(&str, i64)]) -> BTreeMap<String, i64> {
        pairs.iter().map(|(k, v)| (k.to_string(), *v)).collect()
    }

    fn member(unit: &str, project: &str, role: Role) -> ActiveMembership {
        ActiveMembership {
            unit_id: unit.into(),
            project_id: project.into(),
            role,
        }
    }

    #[test]
    fn a_person_sees_own_scope_units_and_their_projects() {
        let v = visible_scopes(
            "p1",
            &[
                member("u1", "j1", Role::Resident),
                member("u2", "j1", Role::Tenant),
            ],
            &[],
        );
        let want: BTreeSet<String> = [
            "person:p1",
            "unit:u1",
            "unit:u2",
            "project:j1",
            "meetings:j1",
            "policies:platform",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        assert_eq!(v, want);
    }

    #[test]
    fn only_owners_see_the_owners_scope_of_their_units() {
        let v = visible_scopes(
            "p1",
            &[
                member("u1", "j1", Role::Owner),
                member("u2", "j1", Role::Resident),
            ],
            &[],
        );
        assert!(v.contains("owners:u1"));
        assert!(!v.contains("owners:u2"));
        assert!(v.contains("unit:u2"));
    }

    #[test]
    fn a_proxy_holder_sees_the_meetings_of_a_project_but_nothing_else_of_it() {
        let v = visible_scopes("p1", &[member("u1", "j1", Role::Owner)], &["j2".into()]);
        assert!(v.contains("meetings:j2"));
        assert!(!v.contains("project:j2"));
        assert!(v.contains("meetings:j1"));
    }

    #[test]
    fn epoch_change_or_cursor_below_retention_resets_but_first_sync_does_not() {
        let c = map(&[("unit:u1", 10)]);
        assert!(!needs_reset(None, 2, &c, 0));
        assert!(!needs_reset(Some(2), 2, &c, 0));
        assert!(needs_reset(Some(1), 2, &c, 0));
        assert!(needs_reset(Some(2), 2, &c, 11));
        assert!(!needs_reset(Some(2), 2, &c, 10));
    }

    #[test]
    fn page_limit_defaults_and_caps() {
        assert_eq!(page_limit(None), 5_000);
        assert_eq!(page_limit(Some(0)), 1);
        assert_eq!(page_limit(Some(50_000)), 10_000);
    }

    #[test]
    fn cursors_reach_the_page_end_or_the_head_and_never_go_back() {
        let visible: BTreeSet<String> = ["a", "b", "c"].iter().map(|s| s.to_string()).collect();
        let old = map(&[("a", 5), ("c", 90)]);
        assert_eq!(
            next_cursors(&visible, &old, Some(40), true, 100),
            map(&[("a", 40), ("b", 40), ("c", 90)])
        );
        assert_eq!(
            next_cursors(&visible, &old, Some(40), false, 100),
            map(&[("a", 100), ("b", 100), ("c", 100)])
        );
        assert_eq!(
            next_cursors(&visible, &old, None, false, 0),
            map(&[("a", 5), ("b", 0), ("c", 90)])
        );
    }

    #[test]
    fn scopes_no_longer_visible_are_removed() {
        let visible: BTreeSet<String> = ["a"].iter().map(|s| s.to_string()).collect();
        assert_eq!(
            removed_scopes(&map(&[("a", 1), ("z", 2)]), &visible),
            vec!["z".to_string()]
        );
    }
}
