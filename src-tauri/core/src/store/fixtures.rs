//! Rows for the store's own unit tests: restaurant `r1` ("Zaza") and volunteer `v1` ("Amina"),
//! and plain visits of `v1` to `r1`, written the way the API writes them (status refreshed).

use super::{restaurants, status, visits, volunteers};
use crate::domain::restaurant::ValidDraft;
use crate::domain::{NewVisit, Outcome, RestaurantDraft, RestaurantId, VisitId, VolunteerDraft, VolunteerId};
use chrono::{DateTime, TimeZone, Utc};
use rusqlite::Connection;

/// 1 June 2026, 10:`minute`.
pub fn at(minute: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 6, 1, 10, minute, 0).single().expect("time")
}

/// Restaurant `r1` and volunteer `v1`.
pub fn zaza_and_amina(db: &Connection) {
    let draft = RestaurantDraft { name: "Zaza".into(), lat: 51.5, lon: -0.07, ..Default::default() };
    let valid: ValidDraft = draft.validate().expect("valid");
    restaurants::insert(db, &RestaurantId("r1".into()), &valid, "manual", None, at(0)).expect("restaurant");
    let amina = VolunteerDraft { display_name: "Amina".into(), contact: None };
    volunteers::insert(db, &VolunteerId("v1".into()), &amina, at(0)).expect("volunteer");
}

/// A visit `id` of `v1` to `r1` at 10:`minute`, with `r1`'s status worked out again.
pub fn visit(db: &Connection, id: &str, outcome: Outcome, minute: u32) {
    let v = NewVisit {
        restaurant_id: RestaurantId("r1".into()),
        volunteer_id: VolunteerId("v1".into()),
        visited_at: Some(at(minute)),
        outcome,
        stickers_left: 0,
        note: None,
        follow_up_on: None,
        corrects: None,
        sticker_codes: vec![],
    };
    visits::insert(db, &VisitId(id.into()), &v, at(minute)).expect("visit");
    status::refresh(db, &RestaurantId("r1".into())).expect("status");
}

/// `SELECT count(*) ...` as a number.
pub fn count(db: &Connection, sql: &str) -> i64 {
    db.query_row(sql, [], |r| r.get(0)).expect("count")
}
