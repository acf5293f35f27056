//! What the list, the map, the legend and the CLI ask for: which restaurants (a filter) and
//! where (a box). Plain values; the store turns a filter into its one WHERE clause.

use super::{AreaId, Status, VolunteerId};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// What the list, the map and the CLI filter on. Empty fields filter nothing.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct RestaurantFilter {
    /// Words to find in name, address, postcode or cuisine (prefix match, any order).
    #[serde(default)]
    pub search: Option<String>,
    /// Keep restaurants in any of these statuses; empty keeps all.
    #[serde(default)]
    pub statuses: Vec<Status>,
    /// Keep restaurants with this cuisine (one of their `;`-separated cuisines, any case).
    #[serde(default)]
    pub cuisine: Option<String>,
    /// Keep restaurants this volunteer has visited.
    #[serde(default)]
    pub volunteer_id: Option<VolunteerId>,
    /// Keep restaurants whose follow-up date is on or before this day (the window sends today).
    #[serde(default)]
    #[ts(type = "string | null")]
    pub follow_up_due_by: Option<NaiveDate>,
    /// Keep restaurants inside this area.
    #[serde(default)]
    pub area_id: Option<AreaId>,
    /// Keep the restaurants a report counted in one stage of its funnel over some days (a
    /// stage or a week clicked in the dashboard).
    #[serde(default)]
    pub reached: Option<Reached>,
}

/// A stage of the report's funnel over local days `from` to `to` (both included).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Reached {
    pub stage: FunnelStage,
    #[ts(type = "string")]
    pub from: NaiveDate,
    #[ts(type = "string")]
    pub to: NaiveDate,
}

/// The stages of the funnel, each holding the next: a restaurant with a sticker placed in the
/// period also agreed and was contacted in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum FunnelStage {
    Known,
    Contacted,
    Agreed,
    StickerPlaced,
    /// Placed in the period, and one of its stickers scanned lately ("seen recently").
    StickerStillUp,
}

impl RestaurantFilter {
    /// Nothing to filter on: every restaurant matches.
    pub fn is_empty(&self) -> bool {
        self.search.as_deref().is_none_or(|s| search_words(s).next().is_none())
            && self.statuses.is_empty()
            && self.cuisine.as_deref().is_none_or(|c| c.trim().is_empty())
            && self.volunteer_id.is_none()
            && self.follow_up_due_by.is_none()
            && self.area_id.is_none()
            && self.reached.is_none()
    }
}

/// A box on the map, in degrees.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Bbox {
    pub south: f64,
    pub west: f64,
    pub north: f64,
    pub east: f64,
}

/// The words of a search that can match anything: split at spaces and quotes, each with at
/// least one letter or digit. A search with none filters nothing.
pub fn search_words(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| c.is_whitespace() || c == '"').filter(|w| w.chars().any(char::is_alphanumeric))
}
