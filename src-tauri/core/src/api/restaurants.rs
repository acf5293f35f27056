//! Adding, editing, finding and showing restaurants.

use super::models::{RestaurantDetail, RestaurantPage, StatusCount};
use super::Result;
use crate::domain::{Bbox, RestaurantFilter};
use crate::domain::{RestaurantDraft, RestaurantId};
use crate::store::restaurants as table;
use crate::store::{consents, outbox, status, visits, Store};
use chrono::{DateTime, Utc};
use rusqlite::Connection;

/// The most rows one list call returns; the window pages past it.
pub const MAX_PAGE: u32 = 500;
/// The most markers one map call returns; past it the window asks to zoom in.
pub fn add(store: &mut Store, draft: RestaurantDraft, now: DateTime<Utc>) -> Result<RestaurantDetail> {
    let valid = draft.validate()?;
    let id = RestaurantId::generate(now);
    store.write(|tx| {
        table::insert(tx, &id, &valid, "manual", None, now)?;
        outbox::restaurant_inserted(tx, &id, now)?;
        detail_in(tx, &id)
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
