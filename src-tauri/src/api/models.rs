//! What the API answers with, shaped for the window and the CLI's JSON alike.

use crate::domain::{Consents, Restaurant, Status, StatusSummary, Visit};
use crate::store::restaurants::RestaurantListItem;
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
