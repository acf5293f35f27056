//! Rows for the API's own unit tests, written through the API as a person would.

use crate::domain::{NewVisit, Outcome, RestaurantDraft, RestaurantId, VolunteerDraft, VolunteerId};
use crate::store::Store;
use chrono::{DateTime, Utc};

/// Restaurant "Zaza" and volunteer "Amina", added at `now`.
pub fn zaza_and_amina(store: &mut Store, now: DateTime<Utc>) -> (RestaurantId, VolunteerId) {
    let draft = RestaurantDraft { name: "Zaza".into(), lat: 51.5, lon: -0.07, ..Default::default() };
    let r = super::restaurants::add(store, draft, now).expect("restaurant").restaurant.id;
    let amina = VolunteerDraft { display_name: "Amina".into(), contact: None };
    let v = super::volunteers::add(store, amina, now).expect("volunteer").id;
    (r, v)
}

/// A visit by `v` to `r` at `at` with `note`, recorded at `now`.
pub fn visit(
    store: &mut Store,
    r: &RestaurantId,
    v: &VolunteerId,
    at: DateTime<Utc>,
    note: &str,
    now: DateTime<Utc>,
) {
    let visit = NewVisit {
        restaurant_id: r.clone(),
        volunteer_id: v.clone(),
        visited_at: Some(at),
        outcome: Outcome::Agreed,
        stickers_left: 0,
        note: Some(note.into()),
        follow_up_on: None,
        corrects: None,
        sticker_codes: vec![],
    };
    super::visits::record(store, visit, now).expect("visit");
}

/// A time written as RFC 3339 (`2026-11-02T10:00:00Z`).
pub fn at(s: &str) -> DateTime<Utc> {
    s.parse().expect("an RFC 3339 time")
}
