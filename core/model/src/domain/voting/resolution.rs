//! Resolution types and their thresholds (DESIGN.md §2.7, ss.44, 48, 49).
//!
//! A threshold is data — a fraction of a base, and whether reaching it is enough or it
//! must be exceeded — so a project's bylaws can add others without a new code path:
//!
//! | type | passes when |
//! | --- | --- |
//! | `majority_of_attendees` (s.44) | approve > 1/2 of the weight attending |
//! | `half_of_all` (s.48) | approve ≥ 1/2 of all votes |
//! | `half_of_all_reconvened` (s.48 ¶2) | approve ≥ 1/3 of all votes |
//! | `quarter_of_all` (s.49) | approve ≥ 1/4 of all votes |
//! | `information` | no vote |

use crate::error::{LobbyError, Result};
use crate::Weight;

/// What a threshold is a fraction of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Base {
    /// The weight of the units attending that may vote.
    Attending,
    /// All votes of the project.
    AllVotes,
}

/// `approve` must reach (or, when `strict`, exceed) `num/den` of `base`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Threshold {
    pub base: Base,
    pub num: u32,
    pub den: u32,
    pub strict: bool,
}

impl Threshold {
    /// Whether `approve` meets the threshold, given the bases.
    pub fn met(&self, approve: Weight, attending: Weight, all_votes: Weight) -> bool {
        let base = match self.base {
            Base::Attending => attending,
            Base::AllVotes => all_votes,
        };
        if self.strict {
            approve.more_than(base, self.num, self.den)
        } else {
            approve.at_least(base, self.num, self.den)
        }
    }
}

/// An agenda item's resolution type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResolutionType {
    MajorityOfAttendees,
    HalfOfAll,
    HalfOfAllReconvened,
    QuarterOfAll,
    Information,
}

impl ResolutionType {
    pub const ALL: [ResolutionType; 5] = [
        ResolutionType::MajorityOfAttendees,
        ResolutionType::HalfOfAll,
        ResolutionType::HalfOfAllReconvened,
        ResolutionType::QuarterOfAll,
        ResolutionType::Information,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ResolutionType::MajorityOfAttendees => "majority_of_attendees",
            ResolutionType::HalfOfAll => "half_of_all",
            ResolutionType::HalfOfAllReconvened => "half_of_all_reconvened",
            ResolutionType::QuarterOfAll => "quarter_of_all",
            ResolutionType::Information => "information",
        }
    }

    pub fn parse(s: &str) -> Result<ResolutionType> {
        Self::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| {
                LobbyError::invalid(
                    "a resolution is majority_of_attendees, half_of_all, half_of_all_reconvened, quarter_of_all or information",
                )
            })
    }

    /// The threshold approve must meet; `None` for an information item (no vote).
    pub fn threshold(self) -> Option<Threshold> {
        let t = |base, num, den, strict| {
            Some(Threshold {
                base,
                num,
                den,
                strict,
            })
        };
        match self {
            ResolutionType::MajorityOfAttendees => t(Base::Attending, 1, 2, true),
            ResolutionType::HalfOfAll => t(Base::AllVotes, 1, 2, false),
            ResolutionType::HalfOfAllReconvened => t(Base::AllVotes, 1, 3, false),
            ResolutionType::QuarterOfAll => t(Base::AllVotes, 1, 4, false),
            ResolutionType::Information => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(s: &str) -> Weight {
        Weight::parse(s).unwrap()
    }

    #[test]
    fn each_type_passes_exactly_at_its_threshold() {
        // (type, approve, attending, all votes, passes) — computed by hand.
        let cases = [
            (
                ResolutionType::MajorityOfAttendees,
                "30",
                "60",
                "100",
                false,
            ), // = half: not more
            (
                ResolutionType::MajorityOfAttendees,
                "30.000001",
                "60",
                "100",
                true,
            ),
            (ResolutionType::HalfOfAll, "49.999999", "100", "100", false),
            (ResolutionType::HalfOfAll, "50", "60", "100", true),
            (
                ResolutionType::HalfOfAllReconvened,
                "33.333333",
                "40",
                "100",
                false,
            ),
            (
                ResolutionType::HalfOfAllReconvened,
                "33.333334",
                "40",
                "100",
                true,
            ),
            (
                ResolutionType::QuarterOfAll,
                "24.999999",
                "30",
                "100",
                false,
            ),
            (ResolutionType::QuarterOfAll, "25", "30", "100", true),
        ];
        for (r, approve, attending, all, passes) in cases {
            let t = r.threshold().unwrap();
            assert_eq!(
                t.met(w(approve), w(attending), w(all)),
                passes,
                "{r:?} {approve}/{attending}/{all}"
            );
        }
        assert_eq!(ResolutionType::Information.threshold(), None);
    }

    #[test]
    fn types_read_back_by_name() {
        for r in ResolutionType::ALL {
            assert_eq!(ResolutionType::parse(r.as_str()).unwrap(), r);
        }
        assert!(ResolutionType::parse("two_thirds").is_err());
    }
}
