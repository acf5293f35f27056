//! Logging visits and recording consent: both append-only, both change what the restaurant's
//! panel, list badge and marker show, so both answer with the fresh detail.

use super::models::RestaurantDetail;
use super::restaurants::detail_in;
use super::{ApiError, Refusal, Result};
use crate::api::access;
use crate::domain::permissions::Action;
use crate::domain::{NewConsent, NewVisit, VisitId, VolunteerDraft, VolunteerId};
use crate::store::{consents, outbox, status, visits, volunteers, Store};
use chrono::{DateTime, Utc};
use rusqlite::Transaction;

pub fn record(store: &mut Store, visit: NewVisit, now: DateTime<Utc>) -> Result<RestaurantDetail> {
    let visit = visit.validate(now)?;
    store.write(|tx| record_in(tx, visit, now))
}

/// Records a visit by a volunteer named `volunteer`, adding the volunteer if new, all in one
/// transaction: a refused visit adds nobody. (The CLI's `visits add --volunteer NAME`.)
pub fn record_by_name(
    store: &mut Store,
    volunteer: &str,
    mut visit: NewVisit,
    now: DateTime<Utc>,
) -> Result<RestaurantDetail> {
    let draft = VolunteerDraft { display_name: volunteer.to_string(), contact: None }.validate()?;
    store.write(|tx| {
        visit.volunteer_id = match volunteers::by_name(tx, &draft.display_name)? {
            Some(v) => v.id,
            None => {
                access::require(tx, Action::AddVolunteers)?;
                let id = VolunteerId::generate(now);
                volunteers::insert(tx, &id, &draft, now)?;
                outbox::event(tx, "volunteer", id.as_str(), now)?;
                id
            }
        };
        let visit = visit.validate(now)?;
        record_in(tx, visit, now)
    })
}

/// Records several visits in one transaction (a walk sheet typed back in): all of them, or none
/// and the first problem, named by its position in the list (1-based).
pub fn record_many(store: &mut Store, visits: Vec<NewVisit>, now: DateTime<Utc>) -> Result<usize> {
    let mut valid = Vec::with_capacity(visits.len());
    for (i, v) in visits.into_iter().enumerate() {
        valid.push(v.validate(now).map_err(|e| {
            ApiError::Invalid(crate::domain::ValidationError {
                field: e.field,
                reason: format!("row {}: {}", i + 1, e.reason),
            })
        })?);
    }
    let n = valid.len();
    store.write(|tx| {
        for v in valid {
            record_in(tx, v, now)?;
        }
        Ok(n)
    })
}

fn record_in(tx: &Transaction<'_>, visit: NewVisit, now: DateTime<Utc>) -> Result<RestaurantDetail> {
    let id = VisitId::generate(now);
    {
        // Both must exist; the foreign keys would refuse too, but without saying which.
        crate::store::restaurants::get(tx, &visit.restaurant_id)?;
        volunteers::get(tx, &visit.volunteer_id)?;
        if let Some(corrected) = &visit.corrects {
            let (restaurant, already) = visits::lookup(tx, corrected)?;
            if restaurant != visit.restaurant_id {
                return Err(Refusal::CorrectsAnotherRestaurant { visit: corrected.clone() }.into());
            }
            if already {
                return Err(Refusal::AlreadyCorrected { visit: corrected.clone() }.into());
            }
        }
        access::visit(tx, &visit)?;
        visits::insert(tx, &id, &visit, now)?;
        outbox::event(tx, "visit", id.as_str(), now)?;
        place_stickers(tx, &id, &visit, now)?;
        status::refresh(tx, &visit.restaurant_id)?;
        detail_in(tx, &visit.restaurant_id)
    }
}

/// Links the codes named on a `sticker_placed` visit: each becomes `placed` at the restaurant.
fn place_stickers(
    tx: &Transaction<'_>,
    visit_id: &VisitId,
    visit: &NewVisit,
    now: DateTime<Utc>,
) -> Result<()> {
    use crate::domain::StickerState;
    use crate::store::stickers as codes;
    let at = visit.visited_at.unwrap_or(now);
    for (i, code) in visit.sticker_codes.iter().enumerate() {
        let current = codes::code(tx, code)?;
        if let Some(meant) = &current.restaurant_id {
            if *meant != visit.restaurant_id {
                return Err(Refusal::StickerForAnotherRestaurant {
                    code: code.clone(),
                    restaurant: current.restaurant_name.unwrap_or_else(|| meant.to_string()),
                }
                .into());
            }
        }
        if !current.state.may_become(StickerState::Placed) {
            return Err(Refusal::StickerMove {
                code: code.clone(),
                state: current.state,
                to: StickerState::Placed,
            }
            .into());
        }
        let event = format!("{}-{i}", visit_id);
        codes::insert_event(
            tx,
            &event,
            code,
            StickerState::Placed,
            Some(&visit.restaurant_id),
            Some(&visit.volunteer_id),
            Some(visit_id.as_str()),
            at,
        )?;
        outbox::event(tx, "sticker_event", &event, now)?;
    }
    Ok(())
}

pub fn record_consent(
    store: &mut Store,
    consent: NewConsent,
    now: DateTime<Utc>,
) -> Result<RestaurantDetail> {
    let id = ulid::Ulid::from_datetime(now.into()).to_string();
    store.write(|tx| {
        crate::store::restaurants::get(tx, &consent.restaurant_id)?;
        volunteers::get(tx, &consent.recorded_by)?;
        access::consent(tx, &consent)?;
        consents::insert(tx, &id, &consent, now)?;
        outbox::event(tx, "consent", &id, now)?;
        detail_in(tx, &consent.restaurant_id)
    })
}
