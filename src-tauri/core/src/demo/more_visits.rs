//! Many visits at once, for benchmarks: `total` visits spread over the last `months` months
//! across every restaurant and volunteer already in the database, with a believable mix of
//! outcomes, then every status worked out again, in one transaction (`make bench-report`, on a
//! throwaway file).

use super::Rng;
use crate::api::ApiError;
use crate::domain::{NewVisit, Outcome, RestaurantId, VisitId, VolunteerId};
use crate::store::{status, visits, Store};
use chrono::{DateTime, Duration, Utc};

/// Outcomes in the proportions a campaign sees them: mostly conversations and empty doorways.
const OUTCOMES: [(Outcome, u32); 8] = [
    (Outcome::NoAnswer, 25),
    (Outcome::Spoke, 30),
    (Outcome::ComeBack, 15),
    (Outcome::Agreed, 12),
    (Outcome::StickerPlaced, 10),
    (Outcome::Declined, 6),
    (Outcome::DoNotContact, 1),
    (Outcome::ClosedPermanently, 1),
];

fn outcome(rng: &mut Rng) -> Outcome {
    let mut roll = rng.below(100) as u32;
    for (o, weight) in OUTCOMES {
        if roll < weight {
            return o;
        }
        roll -= weight;
    }
    Outcome::Spoke
}

/// Adds `total` visits; answers how many restaurants' statuses were worked out again.
pub fn add(
    store: &mut Store,
    total: u32,
    months: u32,
    seed: u64,
    now: DateTime<Utc>,
) -> Result<u32, ApiError> {
    let conn = store.conn();
    let restaurants: Vec<RestaurantId> = conn
        .prepare("SELECT id FROM restaurants ORDER BY pk")?
        .query_map([], |r| Ok(RestaurantId(r.get(0)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let volunteers: Vec<VolunteerId> = conn
        .prepare("SELECT id FROM volunteers ORDER BY id")?
        .query_map([], |r| Ok(VolunteerId(r.get(0)?)))?
        .collect::<rusqlite::Result<_>>()?;
    if restaurants.is_empty() || volunteers.is_empty() {
        return Ok(0);
    }
    let span_s = i64::from(months.max(1)) * 30 * 24 * 3600;
    let mut rng = Rng(seed);
    store.write(|tx| -> Result<u32, ApiError> {
        for i in 0..total {
            let at = now - Duration::seconds(1 + (rng.unit() * span_s as f64) as i64);
            let o = outcome(&mut rng);
            let visit = NewVisit {
                restaurant_id: restaurants[rng.below(restaurants.len())].clone(),
                volunteer_id: volunteers[rng.below(volunteers.len())].clone(),
                visited_at: Some(at),
                outcome: o,
                stickers_left: u32::from(o == Outcome::StickerPlaced),
                note: None,
                follow_up_on: (o == Outcome::ComeBack).then(|| (at + Duration::days(14)).date_naive()),
                corrects: None,
                sticker_codes: vec![],
            };
            let id = ulid::Ulid::from_parts(
                at.timestamp_millis().max(0) as u64,
                u128::from(i) << 64 | u128::from(rng.next_u64()),
            );
            visits::insert(tx, &VisitId(id.to_string()), &visit, at)?;
        }
        for r in &restaurants {
            status::refresh(tx, r)?;
        }
        Ok(restaurants.len() as u32)
    })
}
