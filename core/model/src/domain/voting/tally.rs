//! The tally of an item when it closes (DESIGN.md §2.7).
//!
//! - Each unit's **latest** choice counts (a vote can be changed while the item is
//!   open), with the unit's weight ([`super::weights`]).
//! - **Attending** is the weight of the units present that may vote (a unit is present
//!   when it voted online or staff recorded it in the attendance register; units in
//!   arrears at a general meeting are left out).
//! - **Did not vote**: every unit present that may vote and has no vote on this item, by
//!   weight; not counted in approve, disapprove or abstain.
//! - **Quorum** (s.43): attending ≥ 1/4 of all votes, except at a reconvened meeting.
//!   No item passes without quorum.

use std::collections::{BTreeMap, BTreeSet};

use super::resolution::ResolutionType;
use super::weights::Weights;
use crate::error::{LobbyError, Result};
use crate::Weight;

/// A vote on an item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum Choice {
    Approve,
    Disapprove,
    Abstain,
}

impl Choice {
    pub fn as_str(self) -> &'static str {
        match self {
            Choice::Approve => "approve",
            Choice::Disapprove => "disapprove",
            Choice::Abstain => "abstain",
        }
    }

    pub fn parse(s: &str) -> Result<Choice> {
        match s {
            "approve" => Ok(Choice::Approve),
            "disapprove" => Ok(Choice::Disapprove),
            "abstain" => Ok(Choice::Abstain),
            _ => Err(LobbyError::invalid(
                "a vote is approve, disapprove or abstain",
            )),
        }
    }
}

/// What an item's tally is computed from.
#[derive(Debug, Clone, Copy)]
pub struct TallyInput<'a> {
    pub weights: &'a Weights,
    /// Units that may vote at this meeting (arrears rule applied).
    pub may_vote: &'a BTreeSet<String>,
    /// Units present at the meeting: in the attendance register, or having voted online
    /// on any of its items (units that voted on this item count as present anyway).
    pub registered: &'a BTreeSet<String>,
    /// The latest choice of each unit that voted on this item.
    pub votes: &'a BTreeMap<String, Choice>,
    pub reconvened: bool,
}

/// An item's result (INTERFACE.md `TALLY`; on the wire, weights are exact decimal
/// strings).
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Default,
    serde::Serialize,
    serde::Deserialize,
    utoipa::ToSchema,
)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Tally {
    pub approve: Weight,
    pub disapprove: Weight,
    pub abstain: Weight,
    pub did_not_vote: Weight,
    pub attending: Weight,
    pub all_votes: Weight,
    pub quorum: bool,
}

/// The tally of one item.
pub fn tally(input: &TallyInput<'_>) -> Tally {
    let weight = |unit: &str| input.weights.by_unit.get(unit).copied().unwrap_or_default();
    let mut t = Tally {
        all_votes: input.weights.all_votes,
        ..Tally::default()
    };
    let present: BTreeSet<&str> = input
        .registered
        .iter()
        .map(String::as_str)
        .chain(input.votes.keys().map(String::as_str))
        .filter(|u| input.may_vote.contains(*u))
        .collect();
    for unit in present {
        let w = weight(unit);
        t.attending = t.attending + w;
        match input.votes.get(unit) {
            Some(Choice::Approve) => t.approve = t.approve + w,
            Some(Choice::Disapprove) => t.disapprove = t.disapprove + w,
            Some(Choice::Abstain) => t.abstain = t.abstain + w,
            None => t.did_not_vote = t.did_not_vote + w,
        }
    }
    t.quorum = input.reconvened || t.attending.at_least(t.all_votes, 1, 4);
    t
}

/// Whether the item passed: quorum, then the resolution's threshold. An information
/// item never "passes" (nothing is voted).
pub fn passed(resolution: ResolutionType, t: &Tally) -> bool {
    t.quorum
        && resolution
            .threshold()
            .is_some_and(|th| th.met(t.approve, t.attending, t.all_votes))
}

#[cfg(test)]
mod tests {
    use super::super::weights::{unit_weights, UnitShare, WeightRule};
    use super::*;

    fn w(s: &str) -> Weight {
        Weight::parse(s).unwrap()
    }

    fn set(ids: &[&str]) -> BTreeSet<String> {
        ids.iter().map(|s| s.to_string()).collect()
    }

    fn votes(v: &[(&str, Choice)]) -> BTreeMap<String, Choice> {
        v.iter().map(|(u, c)| (u.to_string(), *c)).collect()
    }

    /// Ten units, ratios 5..14 (all votes 95), ten owners; u9 is in arrears.
    fn project() -> Weights {
        let units: Vec<UnitShare> = (0..10)
            .map(|i| UnitShare {
                unit_id: format!("u{i}"),
                owner_id: format!("o{i}"),
                ratio: Weight::whole(5 + i),
            })
            .collect();
        unit_weights(&units, WeightRule::OwnershipRatio)
    }

    fn may_vote() -> BTreeSet<String> {
        (0..9).map(|i| format!("u{i}")).collect()
    }

    #[test]
    fn a_hand_computed_item_with_arrears_a_silent_attendee_and_quorum() {
        let weights = project();
        let may = may_vote();
        let registered = set(&["u3", "u9"]); // u9 attends but is in arrears
        let v = votes(&[
            ("u0", Choice::Approve),    // 5
            ("u1", Choice::Approve),    // 6
            ("u2", Choice::Disapprove), // 7
            ("u4", Choice::Abstain),    // 9
            ("u9", Choice::Approve),    // in arrears: not counted (the server refuses it)
        ]);
        let t = tally(&TallyInput {
            weights: &weights,
            may_vote: &may,
            registered: &registered,
            votes: &v,
            reconvened: false,
        });
        assert_eq!(t.all_votes, w("95"));
        assert_eq!(t.approve, w("11"));
        assert_eq!(t.disapprove, w("7"));
        assert_eq!(t.abstain, w("9"));
        assert_eq!(t.did_not_vote, w("8")); // u3, present and silent
        assert_eq!(t.attending, w("35")); // 5 + 6 + 7 + 8 + 9
        assert!(t.quorum); // 35 ≥ 23.75
                           // 11 > 17.5? no. 11 ≥ 47.5? no. 11 ≥ 31.666? no. 11 ≥ 23.75? no.
        for r in ResolutionType::ALL {
            assert!(!passed(r, &t), "{r:?}");
        }
    }

    #[test]
    fn without_quorum_nothing_passes_and_a_reconvened_meeting_needs_none() {
        let weights = project();
        let may = may_vote();
        let none = BTreeSet::new();
        // u0 (5) + u1 (6) + u2 (7) = 18 attending < 23.75: no quorum, though unanimous.
        let v = votes(&[
            ("u0", Choice::Approve),
            ("u1", Choice::Approve),
            ("u2", Choice::Approve),
        ]);
        let input = TallyInput {
            weights: &weights,
            may_vote: &may,
            registered: &none,
            votes: &v,
            reconvened: false,
        };
        let t = tally(&input);
        assert!(!t.quorum);
        assert!(!passed(ResolutionType::MajorityOfAttendees, &t));
        let t = tally(&TallyInput {
            reconvened: true,
            ..input
        });
        assert!(t.quorum);
        assert!(passed(ResolutionType::MajorityOfAttendees, &t)); // 18 > 9
        assert!(!passed(ResolutionType::HalfOfAllReconvened, &t)); // 18 < 31.67
        assert!(!passed(ResolutionType::Information, &t));
    }

    #[test]
    fn the_s45_cap_changes_the_result() {
        // o1 holds 70 of 100 (u1 60, u2 10), cut to 30; u3 (20) and u4 (10) disapprove.
        let units = [
            ("u1", "o1", "60"),
            ("u2", "o1", "10"),
            ("u3", "o2", "20"),
            ("u4", "o3", "10"),
        ]
        .map(|(u, o, r)| UnitShare {
            unit_id: u.into(),
            owner_id: o.into(),
            ratio: w(r),
        });
        let weights = unit_weights(&units, WeightRule::OwnershipRatio);
        let may = set(&["u1", "u2", "u3", "u4"]);
        let none = BTreeSet::new();
        let v = votes(&[
            ("u1", Choice::Approve),
            ("u2", Choice::Approve),
            ("u3", Choice::Disapprove),
            ("u4", Choice::Disapprove),
        ]);
        let t = tally(&TallyInput {
            weights: &weights,
            may_vote: &may,
            registered: &none,
            votes: &v,
            reconvened: false,
        });
        assert_eq!(
            (t.approve, t.disapprove, t.all_votes),
            (w("30"), w("30"), w("60"))
        );
        // Uncapped, 70 > 50 would pass; capped, 30 is not more than half of 60.
        assert!(!passed(ResolutionType::MajorityOfAttendees, &t));
        assert!(passed(ResolutionType::HalfOfAll, &t)); // 30 ≥ 30
    }

    #[test]
    fn a_proxy_votes_with_the_units_weight_and_a_housing_estate_counts_plots() {
        let units = ["p1", "p2", "p3", "p4"].map(|u| UnitShare {
            unit_id: u.into(),
            owner_id: format!("o-{u}"),
            ratio: w("2.5"),
        });
        let weights = unit_weights(&units, WeightRule::OnePerPlot);
        let may = set(&["p1", "p2", "p3", "p4"]);
        let none = BTreeSet::new();
        // p2 and p3 are voted by one proxy holder: still one vote each.
        let v = votes(&[
            ("p1", Choice::Approve),
            ("p2", Choice::Approve),
            ("p3", Choice::Approve),
        ]);
        let t = tally(&TallyInput {
            weights: &weights,
            may_vote: &may,
            registered: &none,
            votes: &v,
            reconvened: false,
        });
        assert_eq!(
            (t.approve, t.attending, t.all_votes),
            (w("3"), w("3"), w("4"))
        );
        assert!(passed(ResolutionType::HalfOfAll, &t));
    }

    #[test]
    fn choices_read_back() {
        for c in [Choice::Approve, Choice::Disapprove, Choice::Abstain] {
            assert_eq!(Choice::parse(c.as_str()).unwrap(), c);
        }
        assert!(Choice::parse("yes").is_err());
    }
}
