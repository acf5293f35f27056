//! Every known restaurant's state at the end of a period (its status, its follow-up and who owes
//! it): as stored when the period runs to today, replayed from the visits for the restaurants
//! visited since when it ended before; and what the report counts from them.

use super::super::{ApiError, Result};
use super::period::Bounds;
use super::scope::{params, scoped, Scope};
use super::FollowUps;
use crate::api::models::StatusCount;
use crate::domain::status::next;
use crate::domain::{Outcome, Status};
use crate::store::reached::KNOWN;
use chrono::NaiveDate;
use rusqlite::Connection;
use std::collections::HashMap;

/// One known restaurant at the end: its status, and its follow-up with who owes it.
pub struct State {
    pub pk: i64,
    pub restaurant_id: String,
    pub status: Status,
    pub follow_up_on: Option<NaiveDate>,
    pub owed_by: Option<String>,
}

fn outcome(s: &str) -> Result<Outcome> {
    s.parse().map_err(|_| ApiError::Inconsistent { what: "a visit's outcome this version does not know" })
}

fn status(s: &str) -> Result<Status> {
    s.parse().map_err(|_| ApiError::Inconsistent { what: "a stored status" })
}

fn day(s: Option<String>) -> Option<NaiveDate> {
    s.and_then(|d| d.parse().ok())
}

/// Every known restaurant's state at the end. The stored statuses hold for every restaurant
/// not visited since; those visited since (none when the period runs to today) have their
/// visits until the end replayed through the fold the statuses use.
pub fn states(conn: &Connection, b: &Bounds, current: bool, scope: Option<&Scope>) -> Result<Vec<State>> {
    let stored = format!(
        "SELECT s.restaurant_id, s.status, s.follow_up_on, r.pk, s.follow_up_by FROM restaurant_status s \
         JOIN restaurants r ON r.id = s.restaurant_id WHERE {KNOWN}{}",
        scoped("r.id", scope)
    );
    let mut out = Vec::new();
    if scope.is_some() {
        // An area's few restaurants: each one's status looked up.
        let mut stmt = conn.prepare_cached(&stored)?;
        let mut rows = stmt.query(&*params(&stored, b, scope))?;
        while let Some(r) = rows.next()? {
            out.push(State {
                pk: r.get(3)?,
                restaurant_id: r.get(0)?,
                status: status(r.get_ref(1)?.as_str().map_err(rusqlite::Error::from)?)?,
                follow_up_on: day(r.get(2)?),
                // Who owes it (whoever logged the visit that set the date), kept with the status.
                owed_by: r.get(4)?,
            });
        }
    } else {
        // Every restaurant: the two tables read straight through and matched here, a third of
        // the time of looking each status up by its text id.
        let mut statuses: HashMap<String, (Status, Option<NaiveDate>, Option<String>)> = HashMap::new();
        let mut stmt = conn.prepare_cached(
            "SELECT restaurant_id, status, follow_up_on, follow_up_by FROM restaurant_status",
        )?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            let kept =
                (status(r.get_ref(1)?.as_str().map_err(rusqlite::Error::from)?)?, day(r.get(2)?), r.get(3)?);
            statuses.insert(r.get(0)?, kept);
        }
        let known = format!("SELECT r.pk, r.id FROM restaurants r WHERE {KNOWN}");
        let mut stmt = conn.prepare_cached(&known)?;
        let mut rows = stmt.query(&*params(&known, b, None))?;
        while let Some(r) = rows.next()? {
            let id: String = r.get(1)?;
            let Some((status, follow_up_on, owed_by)) = statuses.remove(&id) else {
                return Err(ApiError::Inconsistent { what: "a restaurant without a stored status" });
            };
            out.push(State { pk: r.get(0)?, restaurant_id: id, status, follow_up_on, owed_by });
        }
    }
    if !current {
        let index: HashMap<String, usize> =
            out.iter().enumerate().map(|(i, s)| (s.restaurant_id.clone(), i)).collect();
        replay(conn, b, scope, &index, &mut out)?;
    }
    Ok(out)
}

/// Replays, to the end, the restaurants visited since: their stored status is a later one.
fn replay(
    conn: &Connection,
    b: &Bounds,
    scope: Option<&Scope>,
    index: &HashMap<String, usize>,
    out: &mut [State],
) -> Result<()> {
    let since =
        "SELECT DISTINCT v.restaurant_id FROM visits v INDEXED BY visits_by_time WHERE v.visited_at >= :end";
    let mut changed: Vec<usize> = Vec::new();
    let mut stmt = conn.prepare_cached(since)?;
    let mut rows = stmt.query(&*params(since, b, scope))?;
    while let Some(r) = rows.next()? {
        if let Some(&i) = index.get(r.get_ref(0)?.as_str().map_err(rusqlite::Error::from)?) {
            changed.push(i);
        }
    }
    let mut visits = conn.prepare_cached(
        "SELECT v.outcome, v.follow_up_on, v.volunteer_id FROM visits v WHERE v.restaurant_id = ?1 AND v.visited_at < ?2 \
         AND NOT EXISTS (SELECT 1 FROM visits c WHERE c.corrects = v.id) \
         ORDER BY v.visited_at, v.recorded_at, v.id",
    )?;
    for i in changed {
        let s = &mut out[i];
        s.status = Status::NotContacted;
        s.follow_up_on = None;
        s.owed_by = None;
        let mut rows = visits.query([&s.restaurant_id, &b.end])?;
        while let Some(r) = rows.next()? {
            s.status = next(s.status, outcome(r.get_ref(0)?.as_str().map_err(rusqlite::Error::from)?)?);
            s.follow_up_on = day(r.get(1)?);
            s.owed_by = r.get(2)?;
        }
        // As `domain::status::derive`: a refusal or a final status owes no follow-up.
        if matches!(s.status, Status::Declined | Status::DoNotContact | Status::Closed) {
            s.follow_up_on = None;
        }
        if s.follow_up_on.is_none() {
            s.owed_by = None;
        }
    }
    Ok(())
}

pub fn by_status(states: &[State]) -> Vec<StatusCount> {
    Status::ALL
        .into_iter()
        .map(|status| StatusCount {
            status,
            count: states.iter().filter(|s| s.status == status).count() as u64,
        })
        .collect()
}

pub fn follow_ups(states: &[State], as_of: NaiveDate) -> FollowUps {
    let mut f = FollowUps::default();
    for day in states.iter().filter_map(|s| s.follow_up_on) {
        let late = (as_of - day).num_days();
        match late {
            0 => f.due += 1,
            1.. => {
                f.overdue += 1;
                match late {
                    1..=7 => f.overdue_up_to_a_week += 1,
                    8..=31 => f.overdue_up_to_a_month += 1,
                    _ => f.overdue_longer += 1,
                }
                f.most_overdue_days = f.most_overdue_days.max(Some(late as u32));
            }
            _ => {}
        }
    }
    f
}
