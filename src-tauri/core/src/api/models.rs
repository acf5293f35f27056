//! What the API answers with, shaped for the window and the CLI's JSON alike.

use crate::domain::{Consents, Restaurant, RestaurantId, Status, StatusSummary, Visit};
use crate::store::restaurants::ListRow;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// A restaurant with its derived status, its visits (newest first) and its consents.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct RestaurantDetail {
    #[serde(flatten)]
    pub restaurant: Restaurant,
    #[serde(flatten)]
    pub summary: StatusSummary,
    pub visits: Vec<Visit>,
    pub consents: Consents,
    /// Stickers up there now, with the scans the campaign's web service counted.
    pub stickers_up: Vec<crate::store::stickers::StickerUp>,
}

/// A restaurant as a row in the side list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct RestaurantListItem {
    pub id: RestaurantId,
    pub name: String,
    pub address: Option<String>,
    pub postcode: Option<String>,
    pub lat: f64,
    pub lon: f64,
    pub cuisines: Vec<String>,
    pub status: Status,
    #[ts(type = "string | null")]
    pub last_visit_at: Option<DateTime<Utc>>,
    #[ts(type = "string | null")]
    pub follow_up_on: Option<NaiveDate>,
    /// A volunteer's proposal not decided yet.
    pub proposed: bool,
}

impl From<ListRow> for RestaurantListItem {
    fn from(r: ListRow) -> Self {
        RestaurantListItem {
            id: r.id,
            name: r.name,
            address: r.address,
            postcode: r.postcode,
            lat: r.lat,
            lon: r.lon,
            cuisines: r.cuisines,
            status: r.status,
            last_visit_at: r.last_visit_at,
            follow_up_on: r.follow_up_on,
            proposed: r.proposed,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct RestaurantPage {
    pub items: Vec<RestaurantListItem>,
    /// How many match in all (the page may hold fewer).
    #[ts(type = "number")]
    pub total: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct StatusCount {
    pub status: Status,
    #[ts(type = "number")]
    pub count: u64,
}
