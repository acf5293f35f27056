//! The campaign's figures for a period: the one use-case the dashboard, `tablemap report` and the
//! meeting's PDF all call, so nothing is counted twice or two ways.
//!
//! What the figures mean (issue 13, decided there):
//! - Days and weeks are the campaign's local time (`time_zone`, `Europe/London` by default);
//!   weeks start on Monday; a period is whole local days, `from` to `to` inclusive.
//! - A visit counts as it stands: a visit a later correction replaced is not counted, the
//!   correction is (with its outcome), once.
//! - *contacted*: a visit in the period; *agreed*: a visit with outcome agreed or sticker placed
//!   in the period, or a "display sticker: yes" consent recorded in it; *sticker placed*: a
//!   sticker-placed visit in it; *known*: restaurants that existed at the period's end (rejected
//!   proposals aside). The funnel counts restaurants, cumulatively: one with a sticker placed
//!   also counts as agreed and contacted.
//! - Statuses and follow-ups are as of the period's last day (today when it ends later),
//!   replayed from the visits when that day is past.
//! - A follow-up is owed by whoever logged the visit that set its date.
//! - Weekly figures count events (visits; agreements, which are agreed or sticker-placed visits
//!   and "yes" consents; stickers placed), not restaurants.

mod figures;
pub mod pdf;
mod period;
mod scope;
mod states;
mod stock;
mod tables;

pub use pdf::{pdf_file_name, period_text, write_pdf, ReportPdf};
pub use period::{local_time, time_zone, Period, TIME_ZONE_KEY};
pub use tables::{export_csv, file_name, table, ReportTable};

use super::Result;
use crate::api::models::StatusCount;
use crate::domain::permissions::Role;
use crate::domain::{AreaId, Status, VolunteerId};
use crate::store::Store;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// What to report on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ReportRequest {
    pub period: Period,
    /// Only the restaurants inside this area (its id or name).
    pub area: Option<String>,
    /// Include the figures per volunteer (coordinators only; ignored for anyone else).
    #[serde(default)]
    pub with_volunteers: bool,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct Funnel {
    pub known: u32,
    pub contacted: u32,
    pub agreed: u32,
    pub sticker_placed: u32,
    /// Of those with a sticker placed, the ones whose sticker was scanned in the 30 days before
    /// the end ("seen recently": a lower bound of the stickers still up). `None` while the
    /// campaign has no scan counts at all (no web service): left out, not faked.
    pub sticker_still_up: Option<u32>,
}

/// Shown beside the funnel, not in it: restaurants whose status at the end is one of these.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct Beside {
    pub declined: u32,
    pub do_not_contact: u32,
    pub closed: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct Week {
    /// The Monday the week starts on.
    #[ts(type = "string")]
    pub start: NaiveDate,
    pub visits: u32,
    pub agreed: u32,
    pub sticker_placed: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct AreaCoverage {
    pub id: AreaId,
    pub name: String,
    pub restaurants: u32,
    /// Restaurants in the area contacted in the period.
    pub contacted: u32,
    /// `contacted / restaurants` (0 for an empty area).
    pub share_contacted: f64,
    pub by_status: Vec<StatusCount>,
}

/// One volunteer's work in the period: for thanking and planning.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct VolunteerFigures {
    pub id: VolunteerId,
    pub name: String,
    pub visits: u32,
    pub agreed: u32,
    pub sticker_placed: u32,
    /// Follow-ups due by the end whose date a visit of theirs set.
    pub follow_ups_owed: u32,
}

/// Sticker codes by the state they were in at the end.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct StickerCounts {
    /// Printed and not handed out yet: in a drawer.
    pub printed: u32,
    pub with_volunteer: u32,
    pub placed: u32,
    pub missing: u32,
    pub replaced: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct BatchStock {
    pub id: String,
    #[ts(type = "string")]
    pub printed_at: DateTime<Utc>,
    pub template_name: String,
    pub stickers: u32,
    pub counts: StickerCounts,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct Stickers {
    pub all: StickerCounts,
    pub batches: Vec<BatchStock>,
}

/// Follow-ups as of the end.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct FollowUps {
    /// Due on the last day itself.
    pub due: u32,
    pub overdue: u32,
    pub overdue_up_to_a_week: u32,
    pub overdue_up_to_a_month: u32,
    pub overdue_longer: u32,
    /// How many days the oldest is overdue.
    pub most_overdue_days: Option<u32>,
}

/// Everything the dashboard, the CLI and the PDF show.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct Report {
    pub campaign: String,
    pub time_zone: String,
    #[ts(type = "string")]
    pub from: NaiveDate,
    #[ts(type = "string")]
    pub to: NaiveDate,
    /// The day statuses and follow-ups are counted on: `to`, or today when `to` is later.
    #[ts(type = "string")]
    pub as_of: NaiveDate,
    /// The area reported on, by name; `None` for the whole campaign.
    pub area: Option<String>,
    pub funnel: Funnel,
    pub beside: Beside,
    /// Every status with its count at the end, in the order statuses are listed.
    pub by_status: Vec<StatusCount>,
    pub weeks: Vec<Week>,
    pub areas: Vec<AreaCoverage>,
    /// Volunteers who logged at least one visit in the period.
    pub active_volunteers: u32,
    /// Per volunteer, when asked for by a coordinator; `None` otherwise.
    pub volunteers: Option<Vec<VolunteerFigures>>,
    pub stickers: Stickers,
    pub follow_ups: FollowUps,
}

/// The figures for `request`, as of `now`.
pub fn report(store: &Store, request: &ReportRequest, now: DateTime<Utc>) -> Result<Report> {
    let conn = store.conn();
    let tz = time_zone(store)?;
    let (from, to) = request.period.days(store, &tz, now)?;
    let today = period::local_day(&tz, now);
    let as_of = to.min(today);
    let bounds = period::Bounds::of(&tz, from, to);
    let scope = match &request.area {
        Some(area) => Some(scope::Scope::area(conn, area)?),
        None => None,
    };
    let campaign = super::stickers::campaign(store)?.name;
    let found = figures::count(conn, &bounds, scope.as_ref(), &tz)?;
    let states = states::states(conn, &bounds, as_of == today, scope.as_ref())?;
    let by_status = states::by_status(&states);
    let count_of = |s: Status| by_status.iter().find(|c| c.status == s).map_or(0, |c| c.count as u32);
    let coordinator = crate::api::access::me(conn)?.role == Role::Coordinator;
    let volunteers = if request.with_volunteers && coordinator {
        Some(figures::volunteers(conn, &found, &states, as_of)?)
    } else {
        None
    };
    let areas = match &scope {
        Some(s) => vec![figures::coverage_of(s, &found, &states)?],
        None => figures::coverage(conn, &found, &states)?,
    };
    Ok(Report {
        campaign,
        time_zone: tz.name().to_string(),
        from,
        to,
        as_of,
        area: scope.as_ref().map(|s| s.name.clone()),
        // Every known restaurant has a state: the first stage is their number.
        funnel: Funnel { known: states.len() as u32, ..found.funnel },
        beside: Beside {
            declined: count_of(Status::Declined),
            do_not_contact: count_of(Status::DoNotContact),
            closed: count_of(Status::Closed),
        },
        by_status,
        weeks: period::weeks(from, to, &found.by_week),
        areas,
        active_volunteers: found.by_volunteer.len() as u32,
        volunteers,
        stickers: stock::stickers(conn, &bounds)?,
        follow_ups: states::follow_ups(&states, as_of),
    })
}

#[cfg(test)]
mod tests;
