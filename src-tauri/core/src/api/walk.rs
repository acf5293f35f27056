//! Walk lists: the restaurants still to visit in an area or a chosen few, ordered into a short
//! walking route, each with the time the volunteer should get there, whether it is open then and
//! a quieter time that day; and the walk sheet printed from it.
//!
//! "Still to visit" is not contacted yet, or asked us to come back on or before the walk's day
//! (a follow-up with no date counts as due). Everything else is listed as left out, with why.

use super::{ApiError, FileAction, Result};
use crate::atomic_file::AtomicFile;
use crate::domain::validation::{invalid, optional_text};
use crate::domain::{RestaurantId, Status, ValidationError};
use crate::stickers::campaign::check_base_url;
use crate::store::{restaurants, status, Store};
use crate::walk::hours::{Holiday, Openness};
use crate::walk::quiet::{self, QuietRules, Rush, TimeWindow};
use crate::walk::route::{self, LatLon, Pace, Start};
use crate::walk::sheet::{self, SheetError, SheetStop, WalkSheet, DEFAULT_PITCH};
use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use ts_rs::TS;

/// The most stops one walk takes: a long day's walking is a few dozen; 2-opt on more gets slow.
pub const MAX_STOPS: usize = 2_000;
/// The longest pitch line printed in every block.
pub const MAX_PITCH: usize = 300;

/// Which restaurants the walk is drawn from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case", tag = "kind")]
#[ts(export)]
pub enum StopsSource {
    /// Every restaurant inside an area (by id or name).
    Area { area: String },
    /// A chosen few, by id.
    Restaurants { ids: Vec<RestaurantId> },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct WalkRequest {
    pub source: StopsSource,
    /// Where the volunteer sets off; without it, the route starts wherever is shortest.
    #[serde(default)]
    pub start: Option<LatLon>,
    /// When the walk starts, local time (opening hours are local).
    #[ts(type = "string")]
    pub planned_at: NaiveDateTime,
    /// Printed on the sheet; for an area, its holder when left out.
    #[serde(default)]
    pub volunteer: Option<String>,
    /// The sheet's title; the area's name, or "Chosen restaurants", when left out.
    #[serde(default)]
    pub title: Option<String>,
    /// What to say at the door (default: a sentence in English).
    #[serde(default)]
    pub pitch: Option<String>,
    #[serde(default)]
    pub pace: Pace,
    #[serde(default)]
    pub quiet: QuietRules,
    /// Whether the walk's day is a public holiday; when left out, the bank-holiday calendar of
    /// the region in the settings says (none chosen: unknown, and "PH off" hours read as
    /// unknown).
    #[serde(default)]
    pub public_holiday: Option<bool>,
}

impl WalkRequest {
    /// A request with the defaults for everything but what to walk and when.
    pub fn new(source: StopsSource, planned_at: NaiveDateTime) -> Self {
        WalkRequest {
            source,
            start: None,
            planned_at,
            volunteer: None,
            title: None,
            pitch: None,
            pace: Pace::default(),
            quiet: QuietRules::default(),
            public_holiday: None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct WalkPlan {
    pub title: String,
    pub volunteer: Option<String>,
    pub pitch: String,
    #[ts(type = "string")]
    pub planned_at: NaiveDateTime,
    pub start: Option<LatLon>,
    /// In walking order.
    pub stops: Vec<WalkStop>,
    /// Metres on foot, first leg from the start point included.
    pub total_m: f64,
    /// Walking plus time at the stops.
    pub minutes: f64,
    pub walking_minutes: f64,
    pub pace: Pace,
    /// Restaurants of the area or selection that are not on the walk, and why.
    pub left_out: Vec<LeftOut>,
    /// Whether the walk's day was taken as a public holiday (`None`: not known).
    pub public_holiday: Option<bool>,
    #[ts(type = "string")]
    pub made_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct WalkStop {
    /// 1, 2, 3… in walking order.
    pub number: u32,
    pub id: RestaurantId,
    pub name: String,
    pub address: Option<String>,
    pub postcode: Option<String>,
    pub lat: f64,
    pub lon: f64,
    pub status: Status,
    #[ts(type = "string | null")]
    pub follow_up_on: Option<NaiveDate>,
    pub opening_hours: Option<String>,
    /// When the volunteer should get there: the start, plus walking so far, plus the time
    /// spent at each stop before.
    #[ts(type = "string")]
    pub arrive_at: NaiveDateTime,
    /// Open, closed or unknown at `arrive_at`.
    pub open_at_planned: Openness,
    /// The lunch or dinner rush `arrive_at` falls in.
    pub rush: Option<Rush>,
    /// A quieter time that day (open, not in a rush), when the hours allow one.
    pub quiet: Option<TimeWindow>,
    /// When it next opens (if closed then) or closes (if open), within a week.
    #[ts(type = "string | null")]
    pub next_change_at: Option<NaiveDateTime>,
    /// Metres from the previous stop (from the start point for the first; 0 without one).
    pub leg_m: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct LeftOut {
    pub id: RestaurantId,
    pub name: String,
    pub status: Status,
    #[ts(type = "string | null")]
    pub follow_up_on: Option<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct WalkSheetResult {
    #[ts(type = "string")]
    pub out: PathBuf,
    pub pages: u32,
    pub stops: u32,
    #[ts(type = "number")]
    pub bytes: u64,
    /// Where every stop's QR code points.
    pub site_url: String,
}

/// Whether a restaurant is still to visit on a walk on `day`.
pub fn still_to_visit(status: Status, follow_up_on: Option<NaiveDate>, day: NaiveDate) -> bool {
    match status {
        Status::NotContacted => true,
        Status::FollowUp => follow_up_on.is_none_or(|d| d <= day),
        _ => false,
    }
}

/// Plans a walk: the restaurants still to visit, ordered into a short route and timed.
pub fn plan(store: &Store, request: &WalkRequest, now: DateTime<Utc>) -> Result<WalkPlan> {
    check_pace(&request.pace)?;
    if let Some(s) = request.start {
        crate::domain::restaurant::check_coordinates(s.lat, s.lon)?;
    }
    let pitch =
        optional_text("pitch", request.pitch.clone(), MAX_PITCH)?.unwrap_or_else(|| DEFAULT_PITCH.into());
    let mut volunteer = optional_text("volunteer", request.volunteer.clone(), 80)?;
    let (ids, default_title) = match &request.source {
        StopsSource::Area { area } => {
            let found = super::areas::summary(store, area, now)?;
            if volunteer.is_none() {
                volunteer = found.holder.map(|h| h.volunteer_name);
            }
            (super::areas::members(store, &found.id)?, found.name)
        }
        StopsSource::Restaurants { ids } => {
            if ids.is_empty() {
                return invalid("restaurants", "name at least one restaurant").map_err(Into::into);
            }
            (ids.clone(), "Chosen restaurants".to_string())
        }
    };
    let title = optional_text("title", request.title.clone(), 120)?.unwrap_or(default_title);

    let day = request.planned_at.date();
    let mut seen = HashSet::new();
    let mut candidates = Vec::new();
    let mut left_out = Vec::new();
    for id in ids {
        if !seen.insert(id.clone()) {
            continue;
        }
        let r = restaurants::get(store.conn(), &id)?;
        let s = status::get(store.conn(), &id)?;
        if still_to_visit(s.status, s.follow_up_on, day) {
            candidates.push((r, s));
        } else {
            left_out.push(LeftOut { id, name: r.name, status: s.status, follow_up_on: s.follow_up_on });
        }
    }
    if candidates.len() > MAX_STOPS {
        return invalid(
            "restaurants",
            format!(
                "{} restaurants are still to visit there; a walk takes at most {MAX_STOPS}: choose a smaller area",
                candidates.len()
            ),
        )
        .map_err(Into::into);
    }
    // The same order for the same restaurants, whatever order the area or the caller gave.
    candidates.sort_by(|a, b| a.0.id.cmp(&b.0.id));
    left_out.sort_by_key(|l| l.name.to_lowercase());

    let points: Vec<LatLon> = candidates.iter().map(|(r, _)| LatLon { lat: r.lat, lon: r.lon }).collect();
    let start = request.start.map_or(Start::Anywhere, Start::At);
    let route = route::plan(&points, start, &request.pace);
    let public_holiday = request.public_holiday.or_else(|| {
        let region = crate::api::settings::get(store).ok()?.holiday_region;
        let region = crate::walk::holidays::Region::parse(&region)?;
        Some(crate::walk::holidays::is_bank_holiday(request.planned_at.date(), region))
    });
    let holiday = match public_holiday {
        None => Holiday::Unknown,
        Some(true) => Holiday::Yes,
        Some(false) => Holiday::No,
    };
    let mut walked = 0.0;
    let mut stops = Vec::with_capacity(route.order.len());
    for (k, (&i, &leg_m)) in route.order.iter().zip(&route.legs_m).enumerate() {
        walked += leg_m;
        let (r, s) = &candidates[i];
        let minutes = request.pace.walking_minutes(walked) + request.pace.minutes_per_stop * k as f64;
        let arrive_at = request.planned_at + Duration::seconds((minutes * 60.0).round() as i64);
        let timing = quiet::timing(r.opening_hours.as_deref(), arrive_at, &request.quiet, holiday);
        stops.push(WalkStop {
            number: k as u32 + 1,
            id: r.id.clone(),
            name: r.name.clone(),
            address: r.address.clone(),
            postcode: r.postcode.clone(),
            lat: r.lat,
            lon: r.lon,
            status: s.status,
            follow_up_on: s.follow_up_on,
            opening_hours: r.opening_hours.clone(),
            arrive_at,
            open_at_planned: timing.open,
            rush: timing.rush,
            quiet: timing.quiet,
            next_change_at: timing.next_change.map(|c| c.at),
            leg_m,
        });
    }
    Ok(WalkPlan {
        title,
        volunteer,
        pitch,
        planned_at: request.planned_at,
        start: request.start,
        walking_minutes: request.pace.walking_minutes(route.total_m),
        minutes: route.minutes,
        total_m: route.total_m,
        pace: request.pace,
        stops,
        left_out,
        public_holiday,
        made_at: now,
    })
}

fn check_pace(pace: &Pace) -> Result<()> {
    if !(1.0..=10.0).contains(&pace.km_per_hour) {
        return invalid("km_per_hour", "must be between 1 and 10").map_err(Into::into);
    }
    if !(0.0..=120.0).contains(&pace.minutes_per_stop) {
        return invalid("minutes_per_stop", "must be between 0 and 120").map_err(Into::into);
    }
    Ok(())
}

/// The campaign's site, where the walk sheet's QR codes point: the scheme and host of the
/// campaign's sticker address (stickers go to `https://host/S/CODE`; the sheet, to the site).
pub fn campaign_site(store: &Store) -> Result<String> {
    let campaign = super::stickers::campaign(store)?;
    let checked = check_base_url(&campaign.base_url)?;
    let parsed = url::Url::parse(&checked.normalised).map_err(|e| ValidationError {
        field: "base_url",
        reason: format!("the campaign address cannot be read: {e}"),
    })?;
    Ok(format!("{}/", parsed.origin().ascii_serialization()))
}

/// Writes the plan's walk sheet to `out`, whole or not at all.
pub fn write_sheet(store: &Store, plan: &WalkPlan, out: &Path) -> Result<WalkSheetResult> {
    if plan.stops.is_empty() {
        return invalid(
            "restaurants",
            "none is still to visit (not contacted, or a follow-up due): no sheet to print",
        )
        .map_err(Into::into);
    }
    let site_url = campaign_site(store)?;
    let campaign = super::stickers::campaign(store)?;
    let doc = WalkSheet {
        title: plan.title.clone(),
        volunteer: plan.volunteer.clone(),
        when: format!(
            "{}{}",
            plan.planned_at.format("%A %-d %B %Y, from %H:%M"),
            if plan.public_holiday == Some(true) { " (bank holiday)" } else { "" }
        ),
        total_m: plan.total_m,
        minutes: plan.minutes,
        minutes_per_stop: plan.pace.minutes_per_stop,
        campaign: campaign.name,
        site_url: site_url.clone(),
        pitch: plan.pitch.clone(),
        stops: plan.stops.iter().map(sheet_stop).collect(),
    };
    let mut file = AtomicFile::create(out).map_err(|e| ApiError::file(FileAction::Create, out, e))?;
    let writer = super::take_writer(&mut file, out)?;
    let (writer, report) = sheet::write_sheet(writer, &doc).map_err(|e| match e {
        SheetError::TooLong => {
            ApiError::Invalid(crate::domain::ValidationError { field: "base_url", reason: e.to_string() })
        }
        other => ApiError::WalkSheet(other),
    })?;
    file.commit_with(writer).map_err(|e| ApiError::file(FileAction::Write, out, e))?;
    Ok(WalkSheetResult {
        out: out.to_path_buf(),
        pages: report.pages,
        stops: report.stops,
        bytes: std::fs::metadata(out).map(|m| m.len()).unwrap_or(0),
        site_url,
    })
}

fn sheet_stop(s: &WalkStop) -> SheetStop {
    let mut status = s.status.as_str().replace('_', " ");
    if let (Status::FollowUp, Some(d)) = (s.status, s.follow_up_on) {
        status.push_str(&format!(", due {}", d.format("%-d %b")));
    }
    // The id's last characters: random, so enough to tell restaurants apart on one sheet.
    let id = s.id.as_str();
    let reference = id[id.len().saturating_sub(6)..].to_string();
    SheetStop {
        reference,
        name: s.name.clone(),
        address: s.address.clone(),
        postcode: s.postcode.clone(),
        opening_hours: s.opening_hours.clone(),
        arrive: s.arrive_at.format("%H:%M").to_string(),
        open: s.open_at_planned,
        changes: s.next_change_at.map(|at| {
            let day =
                if at.date() == s.arrive_at.date() { String::new() } else { at.format("%a ").to_string() };
            format!(
                "{}{day}{}",
                if s.open_at_planned == Openness::Open { "closes " } else { "opens " },
                at.format("%H:%M")
            )
        }),
        rush: s.rush,
        quiet: s.quiet,
        status,
        leg_m: s.leg_m,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn who_is_still_to_visit() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date");
        let walk = d("2026-06-10");
        // (status, follow-up date, on the walk?)
        let cases = [
            (Status::NotContacted, None, true),
            (Status::FollowUp, Some(d("2026-06-09")), true),
            (Status::FollowUp, Some(d("2026-06-10")), true),
            (Status::FollowUp, Some(d("2026-06-11")), false),
            (Status::FollowUp, None, true),
            (Status::Contacted, None, false),
            (Status::Agreed, None, false),
            (Status::StickerPlaced, None, false),
            (Status::Declined, None, false),
            (Status::DoNotContact, None, false),
            (Status::Closed, None, false),
        ];
        for (status, follow_up, want) in cases {
            assert_eq!(still_to_visit(status, follow_up, walk), want, "{status} {follow_up:?}");
        }
    }
}
