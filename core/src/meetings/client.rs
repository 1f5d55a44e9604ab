//! [`MeetingsClient`]: meetings and their agenda read from the replica (offline too),
//! votes queued like every change (shown as pending until the server takes them), and
//! the check of the phone's receipts against the published ballot log.

use chrono::Utc;

use super::store::{ItemResult, ItemRow, Meeting, VotingUnit};
use crate::client::Lobby;
use crate::domain::voting::eligibility::{check_voter, MeetingKind, Standing};
use crate::domain::voting::receipts::{check_receipts, Published, Receipt};
use crate::domain::voting::resolution::ResolutionType;
use crate::domain::voting::tally::{Choice, Tally};
use crate::error::{ErrorCode, LobbyError, Result};
use crate::protocol::Mutation;
use crate::store::OutboxState;

/// Where one of the person's votes stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum VoteState {
    /// The server took it: `receipt` is its entry in the ballot log.
    Accepted,
    /// Queued on this phone (offline, or not sent yet); the server's clock decides.
    Pending,
}

/// The person's current vote for one unit on an item.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct MyVote {
    pub unit_id: String,
    pub choice: Choice,
    pub state: VoteState,
    /// The receipt (hex SHA-256 of the ballot-log entry) once accepted.
    pub receipt: Option<String>,
}

/// A vote the server refused (for example `voting_closed`: it arrived after the item
/// closed). It is out of the outbox's queue and stays listed until cleared.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct RefusedVote {
    pub unit_id: String,
    pub choice: Choice,
    pub code: ErrorCode,
    pub message: String,
}

/// An agenda item as the meeting screen shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct AgendaItem {
    pub item_id: String,
    pub meeting_id: String,
    pub position: u32,
    pub title: String,
    /// `majority_of_attendees`, `half_of_all`, `half_of_all_reconvened`,
    /// `quarter_of_all` or `information`.
    pub resolution: String,
    /// `pending`, `open` or `closed`.
    pub status: String,
    /// One per unit the person voted for (latest vote each).
    pub my_votes: Vec<MyVote>,
    pub refused: Vec<RefusedVote>,
    /// Present once the item has closed, never before.
    pub result: Option<ItemResult>,
}

/// A meeting with its agenda and the units the person votes for.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct MeetingDetail {
    pub meeting: Meeting,
    pub items: Vec<AgendaItem>,
    pub voting_units: Vec<VotingUnit>,
}

/// One published result as the check found it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct ItemVerification {
    pub item_id: String,
    pub title: String,
    /// The item's closing entry is in the published log (otherwise it could not be
    /// checked yet).
    pub checked: bool,
    pub matches: bool,
    pub published: Tally,
    /// The tally recomputed on this phone from the log alone.
    pub recomputed: Option<Tally>,
}

/// What `receipts verify` found.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct ReceiptsReport {
    pub meeting_id: String,
    /// Entries of the published log checked.
    pub entries: u32,
    /// The whole log of a closed meeting (otherwise the part published so far).
    pub complete: bool,
    /// `None` when every link holds; otherwise where and why it breaks.
    pub chain_problem: Option<String>,
    /// Receipts found in the log with the vote this phone cast.
    pub verified: Vec<String>,
    /// Receipts the log should hold but does not: a changed or dropped vote.
    pub missing: Vec<String>,
    /// Receipts past the part published so far (an item still open).
    pub unpublished: Vec<String>,
    pub items: Vec<ItemVerification>,
    /// The chain holds and every published result that could be checked matches it.
    pub tally_matches: bool,
}

/// The meetings area (`lobby.meetings()`).
pub struct MeetingsClient<'a> {
    pub(super) lobby: &'a Lobby,
}

impl Lobby {
    /// The meetings area.
    pub fn meetings(&self) -> MeetingsClient<'_> {
        MeetingsClient { lobby: self }
    }
}

fn not_found() -> LobbyError {
    LobbyError::new(ErrorCode::NotFound, "no such meeting on this phone")
}

impl MeetingsClient<'_> {
    /// The person's meetings: open and draft first, then closed.
    pub fn list(&self) -> Result<Vec<Meeting>> {
        self.lobby.inner.with_store(|s| s.meetings())
    }

    /// One meeting with its agenda, the person's votes on each item, and each closed
    /// item's result.
    pub fn show(&self, meeting_id: &str) -> Result<MeetingDetail> {
        let (meeting, rows, voting_units) = self.lobby.inner.with_store(|s| {
            Ok((
                s.meeting(meeting_id)?,
                s.agenda(meeting_id)?,
                s.voting_units(meeting_id)?,
            ))
        })?;
        let meeting = meeting.ok_or_else(not_found)?;
        let refused = self.refused_votes()?;
        let mut items = Vec::with_capacity(rows.len());
        for row in rows {
            items.push(self.item_view(row, &refused)?);
        }
        Ok(MeetingDetail {
            meeting,
            items,
            voting_units,
        })
    }

    /// One agenda item as [`MeetingsClient::show`] gives it (`not_found` when this phone
    /// does not have it).
    pub fn item(&self, item_id: &str) -> Result<AgendaItem> {
        let row = self
            .lobby
            .inner
            .with_store(|s| s.agenda_item(item_id))?
            .ok_or_else(|| LobbyError::new(ErrorCode::NotFound, "no such agenda item"))?;
        let refused = self.refused_votes()?;
        self.item_view(row, &refused)
    }

    /// The person's votes on an agenda item, per unit: the latest queued one (pending)
    /// over the latest accepted one.
    fn item_view(
        &self,
        row: ItemRow,
        refused: &[(String, String, RefusedVote)],
    ) -> Result<AgendaItem> {
        let id = row.item_id.clone();
        let (accepted, pending) = self
            .lobby
            .inner
            .with_store(|s| Ok((s.latest_receipts(&id)?, s.pending_votes(&id)?)))?;
        let mut my_votes: Vec<MyVote> = Vec::new();
        for a in accepted {
            if let Ok(choice) = Choice::parse(&a.choice) {
                my_votes.push(MyVote {
                    unit_id: a.unit_id,
                    choice,
                    state: VoteState::Accepted,
                    receipt: Some(a.hash),
                });
            }
        }
        for p in pending {
            let Ok(choice) = Choice::parse(&p.choice) else {
                continue;
            };
            let vote = MyVote {
                unit_id: p.unit_id.clone(),
                choice,
                state: VoteState::Pending,
                receipt: None,
            };
            match my_votes.iter_mut().find(|v| v.unit_id == p.unit_id) {
                Some(v) => *v = vote,
                None => my_votes.push(vote),
            }
        }
        my_votes.sort_by(|a, b| a.unit_id.cmp(&b.unit_id));
        Ok(AgendaItem {
            refused: refused
                .iter()
                .filter(|(item, _, _)| *item == row.item_id)
                .map(|(_, _, r)| r.clone())
                .collect(),
            item_id: row.item_id,
            meeting_id: row.meeting_id,
            position: row.position,
            title: row.title,
            resolution: row.resolution,
            status: row.status,
            my_votes,
            result: row.result,
        })
    }

    /// Refused votes from the outbox: (item id, mutation id, the refusal).
    fn refused_votes(&self) -> Result<Vec<(String, String, RefusedVote)>> {
        let mut out = Vec::new();
        for e in self.lobby.outbox()? {
            if e.state != OutboxState::Rejected {
                continue;
            }
            if let Mutation::Vote {
                item_id,
                unit_id,
                choice,
            } = &e.envelope.mutation
            {
                let Ok(choice) = Choice::parse(choice) else {
                    continue;
                };
                out.push((
                    item_id.clone(),
                    e.envelope.id.to_string(),
                    RefusedVote {
                        unit_id: unit_id.clone(),
                        choice,
                        code: ErrorCode::parse(e.reject_code.as_deref().unwrap_or("")),
                        message: e.reject_message.clone().unwrap_or_default(),
                    },
                ));
            }
        }
        Ok(out)
    }

    /// Votes `choice` on the item for `unit_id`, or for every unit the person votes for
    /// at its meeting (own units and units held by proxy) when `None`. Works offline:
    /// each vote is queued (pending) and sent with the next sync; a later vote replaces
    /// it until the item closes. Refused at once when this phone already knows the item
    /// closed (`voting_closed`), is for information only (`invalid_input`), or the unit
    /// is not one the person votes for or is in arrears at a general meeting
    /// (`not_eligible`). The server checks all of it again by its own clock. Returns
    /// the queued votes' mutation ids with their units.
    pub fn vote(
        &self,
        item_id: &str,
        choice: Choice,
        unit_id: Option<&str>,
    ) -> Result<Vec<QueuedVote>> {
        let person = self.lobby.inner.require_person()?;
        let item = self
            .lobby
            .inner
            .with_store(|s| s.agenda_item(item_id))?
            .ok_or_else(|| LobbyError::new(ErrorCode::NotFound, "no such agenda item"))?;
        if ResolutionType::parse(&item.resolution)? == ResolutionType::Information {
            return Err(LobbyError::invalid(
                "this item is for information only: there is nothing to vote on",
            ));
        }
        if item.status == "closed" {
            return Err(LobbyError::new(
                ErrorCode::VotingClosed,
                "voting on this item has closed",
            ));
        }
        let (meeting, units) = self.lobby.inner.with_store(|s| {
            Ok((
                s.meeting(&item.meeting_id)?,
                s.voting_units(&item.meeting_id)?,
            ))
        })?;
        let meeting = meeting.ok_or_else(not_found)?;
        let kind = MeetingKind::parse(&meeting.kind)?;
        let check = |u: &VotingUnit| {
            let standing = if u.by_proxy {
                Standing::Proxy
            } else {
                Standing::Owner
            };
            check_voter(kind, standing, u.arrears_months)
        };
        let chosen: Vec<&VotingUnit> = match unit_id {
            Some(id) => {
                let u = units.iter().find(|u| u.unit_id == id).ok_or_else(|| {
                    LobbyError::new(
                        ErrorCode::NotEligible,
                        "you neither own that unit nor hold its proxy at this meeting",
                    )
                })?;
                check(u)?;
                vec![u]
            }
            None => {
                let first_refusal = units.iter().find_map(|u| check(u).err());
                let ok: Vec<&VotingUnit> = units.iter().filter(|u| check(u).is_ok()).collect();
                if ok.is_empty() {
                    return Err(first_refusal.unwrap_or_else(|| {
                        LobbyError::new(
                            ErrorCode::NotEligible,
                            "you have no unit that votes at this meeting: only owners and \
                             their registered proxies vote (residents and tenants do not)",
                        )
                    }));
                }
                ok
            }
        };
        let now = Utc::now();
        let mut queued = Vec::with_capacity(chosen.len());
        for u in chosen {
            let mutation = Mutation::Vote {
                item_id: item_id.to_string(),
                unit_id: u.unit_id.clone(),
                choice: choice.as_str().to_string(),
            };
            let id = self
                .lobby
                .inner
                .with_store_mut(|s| s.enqueue(&person, mutation, now))?;
            queued.push(QueuedVote {
                mutation_id: id.to_string(),
                unit_id: u.unit_id.clone(),
            });
        }
        self.lobby.inner.after_local_write()?;
        Ok(queued)
    }

    /// Downloads the meeting's published ballot log and checks this phone's receipts
    /// and the published results against it (`domain::voting::receipts`): every link,
    /// every receipt's entry, every closed item's tally recomputed with the server's own
    /// function. Differences are reported, not errors; `offline` when the log cannot be
    /// downloaded.
    pub async fn verify_receipts(&self, meeting_id: &str) -> Result<ReceiptsReport> {
        let id = meeting_id.to_string();
        let (meeting, agenda, kept) = self
            .lobby
            .inner
            .with_store(|s| Ok((s.meeting(&id)?, s.agenda(&id)?, s.kept_receipts(&id)?)))?;
        meeting.ok_or_else(not_found)?;
        let inner = self.lobby.inner.clone();
        let log = self
            .lobby
            .spawn(async move {
                inner
                    .authed(|api, token| {
                        let id = id.clone();
                        async move { api.ballot_log(&token, &id).await }
                    })
                    .await
            })
            .await?;
        let receipts: Vec<Receipt<'_>> = kept
            .iter()
            .map(|k| Receipt {
                hash: &k.hash,
                seq: k.seq,
                item_id: &k.item_id,
                unit_id: &k.unit_id,
                choice: &k.choice,
            })
            .collect();
        let closed: Vec<(&ItemRow, &ItemResult, ResolutionType)> = agenda
            .iter()
            .filter_map(|i| {
                let r = i.result.as_ref()?;
                let t = ResolutionType::parse(&i.resolution).ok()?;
                Some((i, r, t))
            })
            .collect();
        let published: Vec<Published<'_>> = closed
            .iter()
            .map(|(i, r, t)| Published {
                item_id: &i.item_id,
                resolution: *t,
                tally: &r.tally,
                passed: r.passed,
                chain_head: &r.chain_head,
            })
            .collect();
        let report = check_receipts(&log.entries, log.complete, &receipts, &published);
        let tally_matches = report.tally_matches();
        Ok(ReceiptsReport {
            meeting_id: meeting_id.to_string(),
            entries: log.entries.len() as u32,
            complete: log.complete,
            chain_problem: report
                .chain_break
                .map(|(seq, why)| format!("entry {seq}: {why}")),
            verified: report.verified,
            missing: report.missing,
            unpublished: report.unpublished,
            items: report
                .items
                .into_iter()
                .zip(closed.iter())
                .map(|(c, (i, r, _))| ItemVerification {
                    item_id: c.item_id,
                    title: i.title.clone(),
                    checked: c.in_log,
                    matches: c.matches,
                    published: r.tally,
                    recomputed: c.recomputed,
                })
                .collect(),
            tally_matches,
        })
    }

    /// Calls `deliver` with the meetings now, then each time a committed change touches
    /// meetings or their items (a meeting or an item opening or closing, a result
    /// published) — the listener behind a meeting notification. Abort the returned task
    /// to stop; it also ends when the core closes.
    pub fn watch<F>(&self, deliver: F) -> Result<tokio::task::JoinHandle<()>>
    where
        F: Fn(Vec<Meeting>) + Send + Sync + 'static,
    {
        let inner = self.lobby.inner.clone();
        self.lobby
            .watch_tables(&["meetings", "agenda_items"], move || {
                match inner.with_store(|s| s.meetings()) {
                    Ok(m) => deliver(m),
                    Err(e) => tracing::warn!(code = %e.code, "meetings could not be read"),
                }
            })
    }
}

/// A vote queued on this phone.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct QueuedVote {
    pub mutation_id: String,
    pub unit_id: String,
}
