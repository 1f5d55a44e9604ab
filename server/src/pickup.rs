//! The pickup counter (DESIGN.md §2.4, issue 8): staff scan a resident's pickup pass,
//! see the unit's waiting parcels, and hand them over — or hand them over against a
//! signature when the resident has no phone.
//!
//! **Verifying a pass** is every check the phone could not make: the signature with the
//! key the pass names *as registered here* (`device_keys`), the window by the server's
//! clock (`domain::pickup_pass`), the key not revoked (its sign-in has not ended), the
//! person still an active member of the unit, and the unit in the staff member's
//! project. Only then are the unit's waiting parcels listed — that unit's only, so a
//! pass for unit A never shows unit B's parcels.
//!
//! **Handing over** is all or none, in one unit of work: every parcel must be the
//! pass's unit's (another unit's parcel is `not_found`, as if it did not exist) and
//! still waiting (`already_handed_over` otherwise). A pass hands over once: the handover
//! row keeps (`key_id`, step) under a unique index, so a screenshot of a pass already
//! used at the counter is `pickup_pass_used` even inside its window. Each parcel's new
//! state (with its custody: who handed it to whom, how) is logged in the unit's scope,
//! and the residents' phones learn it by sync.

use base64::Engine;
use chrono::{DateTime, Utc};
use lobby_model::domain::handover::{check_parcel_count, check_signature_png, HandoverMethod};
use lobby_model::domain::name::check_name;
use lobby_model::domain::pickup_pass::{read_pass, valid_until, verifying_key, PassClaims};
use lobby_model::domain::registry::MAX_NAME_CHARS;
use lobby_model::protocol::admin::{HandedOver, PickupHandover, PickupParcel, PickupVerified};
use lobby_model::protocol::{ParcelRecord, Record};
use lobby_model::{scope, ErrorCode};

use crate::error::{AppError, AppResult};
use crate::ids::new_id;
use crate::storage::{Inserted, NewHandover, StaffMember, Storage, StoredUnit, Tx};

/// A pass that passed every check.
struct CheckedPass {
    claims: PassClaims,
    unit: StoredUnit,
    person_name: String,
}

fn invalid_pass(why: &str) -> AppError {
    AppError::new(
        ErrorCode::PickupPassInvalid,
        format!("this is not a valid pickup pass ({why})"),
    )
}

fn revoked(why: &str) -> AppError {
    AppError::new(ErrorCode::PickupPassRevoked, why.to_string())
}

fn check_pass(
    tx: &mut dyn Tx,
    staff: &StaffMember,
    payload: &str,
    now: DateTime<Utc>,
) -> AppResult<CheckedPass> {
    let pass = read_pass(payload)?;
    let key_id = pass.claims.key_id.to_string();
    let person_id = pass.claims.person_id.to_string();
    let key = tx
        .device_key(&key_id)?
        .filter(|k| k.person_id == person_id)
        .ok_or_else(|| invalid_pass("not signed by a registered device"))?;
    let public: [u8; 32] = hex::decode(&key.public_key)
        .ok()
        .and_then(|b| b.try_into().ok())
        .ok_or_else(|| AppError::server("device key", "stored key is not 32 bytes"))?;
    let claims = pass.check(&verifying_key(&public)?, now)?;
    if key.revoked_at.is_some() {
        return Err(revoked(
            "this phone was signed out since it made the pass; the resident signs in again",
        ));
    }
    let unit_id = claims.unit_id.to_string();
    let unit = tx
        .unit(&unit_id)?
        .filter(|u| staff.manages(&u.record.project_id))
        .ok_or_else(|| AppError::not_found("the pass is for a unit this office does not manage"))?;
    if tx.active_membership(&person_id, &unit_id)?.is_none() {
        return Err(revoked("the pass holder is no longer a member of the unit"));
    }
    let person_name = tx
        .person(&person_id)?
        .map(|p| p.display_name)
        .ok_or_else(|| AppError::server("person", "a registered key's person is missing"))?;
    Ok(CheckedPass {
        claims,
        unit,
        person_name,
    })
}

fn listed(p: ParcelRecord) -> PickupParcel {
    PickupParcel {
        parcel_id: p.id,
        recipient: p.recipient,
        carrier: p.carrier,
        tracking: p.tracking,
        logged_at: p.logged_at,
    }
}

/// Verifies a scanned pass; who holds it and the unit's waiting parcels. A pass that
/// verifies is audited (`pickup.verify`, the holder's id): staff have seen their name.
pub fn verify(
    db: &dyn Storage,
    staff: &StaffMember,
    payload: &str,
    now: DateTime<Utc>,
) -> AppResult<PickupVerified> {
    db.write(|tx| {
        let pass = check_pass(tx, staff, payload, now)?;
        let parcels = tx.waiting_parcels(&pass.unit.record.id)?;
        // Staff now see who holds the pass and what waits for the unit.
        crate::audit::record(
            tx,
            &pass.unit.record.project_id,
            staff,
            crate::audit::AuditAction::PickupVerify,
            &pass.claims.person_id.to_string(),
            now,
        )?;
        Ok(PickupVerified {
            person_id: pass.claims.person_id.to_string(),
            person_name: pass.person_name,
            unit_id: pass.unit.record.id.clone(),
            unit_number: pass.unit.record.number.clone(),
            valid_until: valid_until(pass.claims.step),
            parcels: parcels.into_iter().map(listed).collect(),
        })
    })
}

/// The request's parcel ids once each, in order.
fn distinct(ids: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(ids.len());
    for id in ids {
        if !out.contains(id) {
            out.push(id.clone());
        }
    }
    out
}

/// What the handover is made against, checked before the unit of work.
enum Proof {
    Pass(String),
    Signature { png: Vec<u8>, collected_by: String },
}

fn proof(req: &PickupHandover) -> AppResult<Proof> {
    match (&req.payload, &req.signature_png) {
        (Some(payload), None) => {
            if req.collected_by.is_some() {
                return Err(AppError::invalid(
                    "collected_by goes with a signature; a pass names its holder",
                ));
            }
            Ok(Proof::Pass(payload.clone()))
        }
        (None, Some(b64)) => {
            let png = base64::engine::general_purpose::STANDARD
                .decode(b64.trim())
                .map_err(|_| AppError::invalid("signature_png is not base64"))?;
            check_signature_png(&png)?;
            image::load_from_memory_with_format(&png, image::ImageFormat::Png)
                .map_err(|_| AppError::invalid("the signature is not a readable PNG picture"))?;
            let name = req.collected_by.as_deref().ok_or_else(|| {
                AppError::invalid("a handover against a signature needs collected_by")
            })?;
            Ok(Proof::Signature {
                png,
                collected_by: check_name(name, "the collector's name", MAX_NAME_CHARS)?,
            })
        }
        _ => Err(AppError::invalid(
            "a handover is made against either a pickup pass (payload) or a signature (signature_png)",
        )),
    }
}

/// Hands the parcels over; all or none.
pub fn hand_over(
    db: &dyn Storage,
    staff: &StaffMember,
    req: &PickupHandover,
    now: DateTime<Utc>,
) -> AppResult<HandedOver> {
    let ids = distinct(&req.parcel_ids);
    check_parcel_count(ids.len())?;
    let proof = proof(req)?;
    let handover_id = new_id();
    let method = match proof {
        Proof::Pass(_) => HandoverMethod::Qr,
        Proof::Signature { .. } => HandoverMethod::Signature,
    };
    db.write(|tx| {
        let (unit, handover) = match &proof {
            Proof::Pass(payload) => {
                let pass = check_pass(tx, staff, payload, now)?;
                let step = i64::try_from(pass.claims.step)
                    .map_err(|_| invalid_pass("made in the future"))?;
                let key_id = pass.claims.key_id.to_string();
                if tx.pass_used(&key_id, step)? {
                    return Err(used());
                }
                let handover = NewHandover {
                    id: handover_id.clone(),
                    unit_id: pass.unit.record.id.clone(),
                    method: method.as_str(),
                    person_id: Some(pass.claims.person_id.to_string()),
                    collected_by: pass.person_name,
                    staff_id: staff.id.clone(),
                    key_id: Some(key_id),
                    pass_step: Some(step),
                    signature_png: None,
                    created_at: now,
                };
                (pass.unit, handover)
            }
            Proof::Signature { png, collected_by } => {
                let unit = first_parcels_unit(tx, staff, &ids)?;
                let handover = NewHandover {
                    id: handover_id.clone(),
                    unit_id: unit.record.id.clone(),
                    method: method.as_str(),
                    person_id: None,
                    collected_by: collected_by.clone(),
                    staff_id: staff.id.clone(),
                    key_id: None,
                    pass_step: None,
                    signature_png: Some(png.clone()),
                    created_at: now,
                };
                (unit, handover)
            }
        };
        if tx.insert_handover(&handover)? == Inserted::Duplicate {
            return Err(used());
        }
        let unit_scope = scope::unit(&unit.record.id);
        for id in &ids {
            let parcel = tx
                .parcel(id)?
                .filter(|p| p.unit_id == unit.record.id)
                .ok_or_else(no_such_parcel)?;
            if !tx.mark_parcel_handed_over(id, &handover_id, now)? {
                return Err(not_waiting(&parcel));
            }
            let record = tx
                .parcel(id)?
                .ok_or_else(|| AppError::server("parcel", "not read back"))?;
            tx.append_change(&unit_scope, &Record::Parcel(record), now)?;
        }
        crate::audit::record(
            tx,
            &unit.record.project_id,
            staff,
            crate::audit::AuditAction::PickupHandover,
            &handover_id,
            now,
        )
    })?;
    Ok(HandedOver {
        handed_over: ids,
        method: method.as_str().to_string(),
    })
}

/// The unit of the first parcel, which every parcel of a signed handover must share.
fn first_parcels_unit(
    tx: &mut dyn Tx,
    staff: &StaffMember,
    ids: &[String],
) -> AppResult<StoredUnit> {
    let first = ids.first().ok_or_else(|| AppError::invalid("no parcels"))?;
    let parcel = tx.parcel(first)?.ok_or_else(no_such_parcel)?;
    tx.unit(&parcel.unit_id)?
        .filter(|u| staff.manages(&u.record.project_id))
        .ok_or_else(no_such_parcel)
}

/// Records that a waiting parcel went back to the carrier.
pub fn return_parcel(
    db: &dyn Storage,
    staff: &StaffMember,
    parcel_id: &str,
    now: DateTime<Utc>,
) -> AppResult<()> {
    db.write(|tx| {
        let parcel = tx.parcel(parcel_id)?.ok_or_else(no_such_parcel)?;
        let unit = tx
            .unit(&parcel.unit_id)?
            .filter(|u| staff.manages(&u.record.project_id))
            .ok_or_else(no_such_parcel)?;
        if !tx.mark_parcel_returned(parcel_id, &staff.id, now)? {
            return Err(not_waiting(&parcel));
        }
        let record = tx
            .parcel(parcel_id)?
            .ok_or_else(|| AppError::server("parcel", "not read back"))?;
        tx.append_change(&scope::unit(&parcel.unit_id), &Record::Parcel(record), now)?;
        crate::audit::record(
            tx,
            &unit.record.project_id,
            staff,
            crate::audit::AuditAction::ParcelReturn,
            parcel_id,
            now,
        )
    })
}

fn used() -> AppError {
    AppError::new(
        ErrorCode::PickupPassUsed,
        "this pickup pass was already used for a handover; show a fresh one",
    )
}

fn no_such_parcel() -> AppError {
    AppError::not_found("no such parcel for this unit")
}

fn not_waiting(parcel: &ParcelRecord) -> AppError {
    let what = if parcel.status == "returned" {
        "returned to the carrier"
    } else {
        "already handed over"
    };
    AppError::new(
        ErrorCode::AlreadyHandedOver,
        format!("parcel {} was {what}", parcel.id),
    )
}
