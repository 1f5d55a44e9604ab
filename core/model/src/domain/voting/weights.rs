//! Vote weights (DESIGN.md §2.7, Condominium Act s.45).
//!
//! A unit votes with its ownership ratio (condominiums) or with one vote (housing
//! estates: one vote per plot) — the rule is per project ([`WeightRule`]). *All votes*
//! is the weight of every unit of the project, whether or not it may vote.
//!
//! **The s.45 cap.** When one owner's units together hold more than half of all votes,
//! that owner's weight is cut to equal everyone else's combined. The cut is spread over
//! the owner's units in proportion to their ratios, in whole millionths rounded down,
//! and what rounding leaves goes to the owner's first unit (by unit id), so the owner's
//! total is *exactly* everyone else's and the result never depends on the order the
//! units were listed in. All votes is then computed from the capped weights.

use std::collections::BTreeMap;

use crate::Weight;

/// How a project weighs its units' votes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WeightRule {
    /// The unit's ownership ratio (condominiums, s.45), with the s.45 cap.
    OwnershipRatio,
    /// One vote per plot (housing estates).
    OnePerPlot,
}

/// A unit as the weight rules see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnitShare {
    pub unit_id: String,
    /// Who owns it (the owner named in the registry).
    pub owner_id: String,
    pub ratio: Weight,
}

/// Every unit's weight (by unit id) and all votes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Weights {
    pub by_unit: BTreeMap<String, Weight>,
    pub all_votes: Weight,
    /// The owner whose weight the s.45 cap cut, if any.
    pub capped_owner: Option<String>,
}

/// The weights of a project's units under `rule`.
pub fn unit_weights(units: &[UnitShare], rule: WeightRule) -> Weights {
    let mut by_unit: BTreeMap<String, Weight> = units
        .iter()
        .map(|u| {
            let w = match rule {
                WeightRule::OwnershipRatio => u.ratio,
                WeightRule::OnePerPlot => Weight::whole(1),
            };
            (u.unit_id.clone(), w)
        })
        .collect();
    let mut capped_owner = None;
    if rule == WeightRule::OwnershipRatio {
        let total: Weight = by_unit.values().copied().sum();
        let mut per_owner: BTreeMap<&str, Weight> = BTreeMap::new();
        for u in units {
            let w = per_owner.entry(u.owner_id.as_str()).or_default();
            *w = *w + u.ratio;
        }
        // At most one owner can hold more than half.
        if let Some((owner, owned)) = per_owner
            .iter()
            .find(|(_, w)| w.more_than(total, 1, 2))
            .map(|(o, w)| (o.to_string(), *w))
        {
            let others = total.saturating_sub(owned);
            let mut theirs: Vec<&UnitShare> =
                units.iter().filter(|u| u.owner_id == owner).collect();
            theirs.sort_by(|a, b| a.unit_id.cmp(&b.unit_id));
            let mut given = 0i64;
            for u in &theirs {
                let share = if owned.micros() == 0 {
                    0
                } else {
                    i64::try_from(
                        i128::from(u.ratio.micros()) * i128::from(others.micros())
                            / i128::from(owned.micros()),
                    )
                    .unwrap_or(0)
                };
                given += share;
                by_unit.insert(u.unit_id.clone(), Weight::from_micros(share));
            }
            if let Some(first) = theirs.first() {
                let rest = others.micros() - given;
                let w = by_unit.get(&first.unit_id).copied().unwrap_or_default();
                by_unit.insert(
                    first.unit_id.clone(),
                    Weight::from_micros(w.micros() + rest),
                );
            }
            capped_owner = Some(owner);
        }
    }
    let all_votes = by_unit.values().copied().sum();
    Weights {
        by_unit,
        all_votes,
        capped_owner,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(s: &str) -> Weight {
        Weight::parse(s).unwrap()
    }

    fn unit(id: &str, owner: &str, ratio: &str) -> UnitShare {
        UnitShare {
            unit_id: id.into(),
            owner_id: owner.into(),
            ratio: w(ratio),
        }
    }

    #[test]
    fn without_a_majority_owner_each_unit_votes_its_ratio() {
        // o1 holds 1.25 + 0.75 = 2 of 4, exactly half: no cap.
        let units = [
            unit("a", "o1", "1.25"),
            unit("b", "o1", "0.75"),
            unit("c", "o2", "2"),
        ];
        let got = unit_weights(&units, WeightRule::OwnershipRatio);
        assert_eq!(got.by_unit["a"], w("1.25"));
        assert_eq!(got.by_unit["c"], w("2"));
        assert_eq!(got.all_votes, w("4"));
        assert_eq!(got.capped_owner, None);
    }

    #[test]
    fn an_owner_above_half_is_cut_to_everyone_elses_combined() {
        // o1 holds 60 + 10 = 70 of 100; the others 30. o1 is cut to 30, spread 60:10 →
        // 25.714285 (+ the rounding remainder 0.000001) and 4.285714.
        let units = [
            unit("u1", "o1", "60"),
            unit("u2", "o1", "10"),
            unit("u3", "o2", "20"),
            unit("u4", "o3", "10"),
        ];
        let got = unit_weights(&units, WeightRule::OwnershipRatio);
        assert_eq!(got.capped_owner.as_deref(), Some("o1"));
        assert_eq!(got.by_unit["u1"], w("25.714286"));
        assert_eq!(got.by_unit["u2"], w("4.285714"));
        assert_eq!(got.by_unit["u1"] + got.by_unit["u2"], w("30"));
        assert_eq!(got.by_unit["u3"], w("20"));
        assert_eq!(got.all_votes, w("60"));
        // The order the units come in changes nothing.
        let mut reversed = units.to_vec();
        reversed.reverse();
        assert_eq!(unit_weights(&reversed, WeightRule::OwnershipRatio), got);
    }

    #[test]
    fn exactly_half_is_not_cut() {
        let units = [unit("a", "o1", "50"), unit("b", "o2", "50")];
        let got = unit_weights(&units, WeightRule::OwnershipRatio);
        assert_eq!(got.capped_owner, None);
        assert_eq!(got.all_votes, w("100"));
    }

    #[test]
    fn a_housing_estate_counts_one_per_plot_whatever_the_ratio() {
        let units = [
            unit("p1", "o1", "3.5"),
            unit("p2", "o1", "1"),
            unit("p3", "o2", "9"),
        ];
        let got = unit_weights(&units, WeightRule::OnePerPlot);
        assert!(got.by_unit.values().all(|v| *v == Weight::whole(1)));
        assert_eq!(got.all_votes, Weight::whole(3));
        assert_eq!(got.capped_owner, None);
    }

    #[test]
    fn a_sole_owner_of_everything_is_cut_to_nothing_else() {
        // Everyone else combined is 0: the cap leaves the owner 0 (s.45 read literally).
        let units = [unit("a", "o1", "1"), unit("b", "o1", "2")];
        let got = unit_weights(&units, WeightRule::OwnershipRatio);
        assert_eq!(got.all_votes, Weight::ZERO);
    }
}
