//! Adding, editing, finding and showing restaurants.

use super::access;
use super::models::{RestaurantDetail, RestaurantPage, StatusCount};
use super::{Refusal, Result};
use crate::domain::permissions::Action;
use crate::domain::{merge, RestaurantDraft, RestaurantId, Standing};
use crate::domain::{Bbox, RestaurantFilter};
use crate::store::restaurants as table;
use crate::store::{consents, outbox, status, visits, Store};
use chrono::{DateTime, Utc};
use rusqlite::Connection;

/// The most rows one list call returns; the window pages past it.
pub const MAX_PAGE: u32 = 500;

/// Adds a restaurant typed in. A volunteer on a team adds a proposal, which an organiser then
/// confirms or rejects (`decide`); visits to it may be logged meanwhile.
pub fn add(store: &mut Store, draft: RestaurantDraft, now: DateTime<Utc>) -> Result<RestaurantDetail> {
    let valid = draft.validate()?;
    let id = RestaurantId::generate(now);
    store.write(|tx| {
        let proposer = access::add_restaurant(tx)?;
        table::insert(tx, &id, &valid, "manual", None, now)?;
        if let Some(by) = &proposer {
            table::set_proposed(tx, &id, by)?;
        }
        outbox::restaurant_inserted(tx, &id, now)?;
        detail_in(tx, &id)
    })
}

/// An organiser's decision on a proposed restaurant: `Confirmed` (it becomes a restaurant like
/// any other) or `Rejected` (it leaves the map and never reaches an export; its visits stay).
pub fn decide(
    store: &mut Store,
    id: &RestaurantId,
    decision: Standing,
    now: DateTime<Utc>,
) -> Result<RestaurantDetail> {
    store.write(|tx| {
        access::require(tx, Action::DecideProposals)?;
        let r = table::get(tx, id)?;
        if r.standing != Standing::Proposed || !decision.is_decision() {
            return Err(Refusal::NotAProposal { restaurant: r.name, standing: r.standing }.into());
        }
        table::set_standing(tx, id, decision)?;
        outbox::standing_decided(tx, id, decision, now)?;
        detail_in(tx, id)
    })
}

pub fn update(
    store: &mut Store,
    id: &RestaurantId,
    draft: RestaurantDraft,
    now: DateTime<Utc>,
) -> Result<RestaurantDetail> {
    let valid = draft.validate()?;
    store.write(|tx| {
        let before = table::get(tx, id)?;
        access::edit_restaurant(tx, &before)?;
        table::update(tx, id, &valid, now)?;
        outbox::restaurant_updated(tx, &before, now)?;
        detail_in(tx, id)
    })
}

/// Some of a restaurant's details, for `edit`: a field left `None` stays as it is; an optional
/// field given as "" (or only spaces) is emptied.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RestaurantChanges {
    pub name: Option<String>,
    pub address: Option<String>,
    pub postcode: Option<String>,
    pub opening_hours: Option<String>,
    pub phone: Option<String>,
    pub website: Option<String>,
}

impl RestaurantChanges {
    fn apply(self, draft: &mut RestaurantDraft) {
        if let Some(name) = self.name {
            draft.name = name;
        }
        for (given, slot) in [
            (self.address, &mut draft.address),
            (self.postcode, &mut draft.postcode),
            (self.opening_hours, &mut draft.opening_hours),
            (self.phone, &mut draft.phone),
            (self.website, &mut draft.website),
        ] {
            if let Some(value) = given {
                *slot = Some(value).filter(|v| !v.trim().is_empty());
            }
        }
    }
}

/// Changes only the details given (`restaurants edit ID --phone ...`), validated like `update`,
/// in one transaction with the record it changes.
pub fn edit(
    store: &mut Store,
    id: &RestaurantId,
    changes: RestaurantChanges,
    now: DateTime<Utc>,
) -> Result<RestaurantDetail> {
    store.write(|tx| {
        let before = table::get(tx, id)?;
        access::edit_restaurant(tx, &before)?;
        let mut draft = merge::draft_of(&before);
        changes.apply(&mut draft);
        let valid = draft.validate()?;
        table::update(tx, id, &valid, now)?;
        outbox::restaurant_updated(tx, &before, now)?;
        detail_in(tx, id)
    })
}

pub fn detail(store: &Store, id: &RestaurantId) -> Result<RestaurantDetail> {
    detail_in(store.conn(), id)
}

pub(crate) fn detail_in(conn: &Connection, id: &RestaurantId) -> Result<RestaurantDetail> {
    Ok(RestaurantDetail {
        restaurant: table::get(conn, id)?,
        summary: status::get(conn, id)?,
        visits: visits::for_restaurant(conn, id)?,
        consents: consents::for_restaurant(conn, id)?,
        stickers_up: crate::store::stickers::up_at(conn, id, chrono::Utc::now().date_naive())?,
    })
}

pub fn list(store: &Store, filter: &RestaurantFilter, limit: u32, offset: u32) -> Result<RestaurantPage> {
    let (items, total) = table::list_page(store.conn(), filter, limit.min(MAX_PAGE), offset)?;
    Ok(RestaurantPage { items: items.into_iter().map(Into::into).collect(), total })
}

/// The follow-up queue: restaurants whose follow-up is due on `today` or earlier (and match the
/// rest of `filter`), the longest overdue first and, on the same day, the nearest to `near`.
pub fn follow_ups(
    store: &Store,
    filter: &RestaurantFilter,
    today: chrono::NaiveDate,
    near: (f64, f64),
    limit: u32,
    offset: u32,
) -> Result<RestaurantPage> {
    let filter = RestaurantFilter { follow_up_due_by: Some(today), ..filter.clone() };
    let order = table::Order::FollowUp { lat: near.0, lon: near.1 };
    let (items, total) = table::list_page_by(store.conn(), &filter, order, limit.min(MAX_PAGE), offset)?;
    Ok(RestaurantPage { items: items.into_iter().map(Into::into).collect(), total })
}

pub fn extent(store: &Store) -> Result<Option<Bbox>> {
    Ok(table::extent(store.conn())?)
}

pub fn status_counts(store: &Store, filter: &RestaurantFilter) -> Result<Vec<StatusCount>> {
    Ok(table::status_counts(store.conn(), filter)?
        .into_iter()
        .map(|(status, count)| StatusCount { status, count })
        .collect())
}

/// A cuisine and how many restaurants serve it.
#[derive(Debug, Clone, PartialEq, serde::Serialize, ts_rs::TS)]
#[ts(export)]
pub struct CuisineCount {
    pub cuisine: String,
    #[ts(type = "number")]
    pub count: u64,
}

/// Every cuisine, most common first.
pub fn cuisines(store: &Store) -> Result<Vec<CuisineCount>> {
    Ok(table::cuisine_counts(store.conn())?
        .into_iter()
        .map(|(cuisine, count)| CuisineCount { cuisine, count })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn changes(f: impl FnOnce(&mut RestaurantChanges)) -> RestaurantChanges {
        let mut c = RestaurantChanges::default();
        f(&mut c);
        c
    }

    #[test]
    fn edit_changes_only_what_is_given() {
        let now: DateTime<Utc> = "2026-06-01T12:00:00Z".parse().expect("time");
        let given = |s: &str| Some(s.to_string());
        // (changes, name, phone, website) afterwards
        let cases: Vec<(RestaurantChanges, &str, Option<&str>, Option<&str>)> = vec![
            (RestaurantChanges::default(), "Asmara", Some("020 7946 0000"), Some("https://asmara.example")),
            (
                changes(|c| c.phone = given("020 7946 1111")),
                "Asmara",
                Some("020 7946 1111"),
                Some("https://asmara.example"),
            ),
            (changes(|c| c.website = given("")), "Asmara", Some("020 7946 0000"), None),
            (changes(|c| c.phone = given("   ")), "Asmara", None, Some("https://asmara.example")),
            (
                changes(|c| c.name = given("Asmara Café")),
                "Asmara Café",
                Some("020 7946 0000"),
                Some("https://asmara.example"),
            ),
        ];
        for (c, name, phone, website) in cases {
            let mut store = Store::open_in_memory().expect("store");
            let draft = RestaurantDraft {
                name: "Asmara".into(),
                address: Some("1 Mare Street".into()),
                postcode: None,
                lat: 51.54,
                lon: -0.06,
                cuisines: vec!["eritrean".into()],
                languages: vec![],
                opening_hours: None,
                phone: given("020 7946 0000"),
                website: given("https://asmara.example"),
            };
            let id = add(&mut store, draft, now).expect("add").restaurant.id;
            let r = edit(&mut store, &id, c.clone(), now).expect("edit").restaurant;
            let case = format!("{c:?}");
            assert_eq!(r.name, name, "{case}");
            assert_eq!(r.phone.as_deref(), phone, "{case}");
            assert_eq!(r.website.as_deref(), website, "{case}");
            assert_eq!(r.address.as_deref(), Some("1 Mare Street"), "{case}: untouched");
            assert_eq!(r.cuisines, vec!["eritrean".to_string()], "{case}: untouched");
        }
    }

    #[test]
    fn edit_refuses_what_update_refuses() {
        let now: DateTime<Utc> = "2026-06-01T12:00:00Z".parse().expect("time");
        let mut store = Store::open_in_memory().expect("store");
        let missing = edit(&mut store, &RestaurantId::from("01NOSUCH"), RestaurantChanges::default(), now);
        assert!(matches!(missing, Err(super::super::ApiError::NotFound { .. })), "{missing:?}");
        let draft = RestaurantDraft {
            name: "Beirut".into(),
            address: None,
            postcode: None,
            lat: 51.5,
            lon: -0.1,
            cuisines: vec![],
            languages: vec![],
            opening_hours: None,
            phone: None,
            website: None,
        };
        let id = add(&mut store, draft, now).expect("add").restaurant.id;
        let blank = edit(&mut store, &id, changes(|c| c.name = Some("  ".into())), now);
        assert!(matches!(blank, Err(super::super::ApiError::Invalid(_))), "{blank:?}");
        assert_eq!(detail(&store, &id).expect("detail").restaurant.name, "Beirut", "nothing written");
    }
}
