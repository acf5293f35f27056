//! The report's counts, each from SQL over the period's visits: the funnel's restaurants (one
//! row per restaurant), the weeks (one row per UTC hour, placed in local weeks here), the
//! volunteers (one row each); then the statuses at the end, and what follows from them.

use super::super::Result;
use super::period::{self, Bounds};
use super::scope::{params, scoped, Scope};
use super::states::State;
use super::{AreaCoverage, Funnel, VolunteerFigures};
use crate::api::models::StatusCount;
use crate::domain::{AreaId, Status};
use crate::store::areas as area_table;
use chrono::NaiveDate;
use chrono_tz::Tz;
use rusqlite::Connection;
use std::collections::{BTreeMap, HashMap, HashSet};

use crate::store::reached::{AGREED, KNOWN, SEEN_RECENTLY, STANDING, YES_TO_A_STICKER};

/// What the period's visits and consents add up to.
pub struct Found {
    pub funnel: Funnel,
    /// Per Monday: visits, agreements, stickers placed.
    pub by_week: BTreeMap<NaiveDate, [u32; 3]>,
    /// Per volunteer id: visits, agreements, stickers placed.
    pub by_volunteer: BTreeMap<String, [u32; 3]>,
    /// Restaurants (by row number) contacted in the period (the funnel's second stage).
    pub contacted: HashSet<i64>,
}

/// Counts per local week and per volunteer, fed in hour order (`YYYY-MM-DDTHH`, UTC): each hour
/// is placed in its week once, when the next begins.
struct Tally<'a> {
    tz: &'a Tz,
    by_week: BTreeMap<NaiveDate, [u32; 3]>,
    by_volunteer: BTreeMap<String, [u32; 3]>,
    hour: String,
    in_hour: [u32; 3],
}

impl<'a> Tally<'a> {
    fn new(tz: &'a Tz) -> Self {
        Tally {
            tz,
            by_week: BTreeMap::new(),
            by_volunteer: BTreeMap::new(),
            hour: String::new(),
            in_hour: [0; 3],
        }
    }

    /// `counts`: visits, agreements, stickers placed.
    fn add(&mut self, hour: &str, volunteer: &str, counts: [u32; 3]) {
        if hour != self.hour {
            self.close_hour();
            self.hour.push_str(hour);
        }
        let slot = match self.by_volunteer.get_mut(volunteer) {
            Some(slot) => slot,
            None => self.by_volunteer.entry(volunteer.to_string()).or_default(),
        };
        for i in 0..3 {
            slot[i] += counts[i];
            self.in_hour[i] += counts[i];
        }
    }

    fn close_hour(&mut self) {
        let counts = std::mem::take(&mut self.in_hour);
        if let Some(monday) = period::week_of_hour(self.tz, &self.hour) {
            let slot = self.by_week.entry(monday).or_default();
            for (n, more) in slot.iter_mut().zip(counts) {
                *n += more;
            }
        }
        self.hour.clear();
    }

    fn finish(mut self) -> (BTreeMap<NaiveDate, [u32; 3]>, BTreeMap<String, [u32; 3]>) {
        self.close_hour();
        (self.by_week, self.by_volunteer)
    }
}

pub fn count(conn: &Connection, b: &Bounds, scope: Option<&Scope>, tz: &Tz) -> Result<Found> {
    // One row per restaurant: placed a sticker, agreed (either), in the period. A long period
    // reads the visits in restaurant order (no sort of a million rows); a short one reads only
    // its own visits by time, then sorts those.
    let by_restaurant = if b.days > 92 { "visits_restaurant" } else { "visits_by_time" };
    // A period that begins before every visit (the whole campaign) takes each restaurant's
    // first visit, agreement and sticker as kept beside its status (migration 0019) instead.
    let earliest: Option<String> = conn
        .prepare_cached("SELECT min(visited_at) FROM visits INDEXED BY visits_by_time")?
        .query_row([], |r| r.get(0))?;
    let from_the_start = earliest.is_none_or(|first| first >= b.start);
    let per_restaurant = if from_the_start {
        format!(
            "SELECT r.pk, coalesce(s.first_placed_at < :end, 0), coalesce(s.first_agreed_at < :end, 0) \
             FROM restaurant_status s JOIN restaurants r ON r.id = s.restaurant_id \
             WHERE s.first_visit_at < :end AND {KNOWN}{} \
             UNION ALL SELECT r.pk, 0, 1 FROM consent_records k JOIN restaurants r ON r.id = k.restaurant_id \
             WHERE {YES_TO_A_STICKER} AND {KNOWN}{}",
            scoped("r.id", scope),
            scoped("k.restaurant_id", scope)
        )
    } else {
        format!(
        "SELECT r.pk, g.placed, g.agreed FROM ( \
           SELECT v.restaurant_id, max(v.outcome = 'sticker_placed') AS placed, max(v.outcome IN {AGREED}) AS agreed \
           FROM visits v INDEXED BY {by_restaurant} WHERE {STANDING}{} GROUP BY v.restaurant_id \
           UNION ALL SELECT k.restaurant_id, 0, 1 FROM consent_records k WHERE {YES_TO_A_STICKER}{} \
         ) g JOIN restaurants r ON r.id = g.restaurant_id \
         WHERE {KNOWN}",
        scoped("v.restaurant_id", scope),
        scoped("k.restaurant_id", scope)
    )
    };
    let mut contacted = HashSet::new();
    let (mut agreed, mut placed) = (HashSet::new(), HashSet::new());
    let mut stmt = conn.prepare_cached(&per_restaurant)?;
    let mut rows = stmt.query(&*params(&per_restaurant, b, scope))?;
    while let Some(r) = rows.next()? {
        let id: i64 = r.get(0)?;
        let (p, a): (bool, bool) = (r.get(1)?, r.get(2)?);
        if p {
            placed.insert(id);
        }
        if a {
            agreed.insert(id);
        }
        contacted.insert(id);
    }
    // The period's visits in time order, read once from the index: counted per UTC hour (each
    // hour lands in its local week whatever the clocks did) and per volunteer as they stream
    // by. (Two GROUP BYs sorted a million rows each for a whole campaign.)
    let events = format!(
        "SELECT substr(v.visited_at, 1, 13), v.volunteer_id, v.outcome IN {AGREED}, v.outcome = 'sticker_placed' \
         FROM visits v INDEXED BY visits_by_time WHERE {STANDING}{} ORDER BY v.visited_at",
        scoped("v.restaurant_id", scope)
    );
    let mut tally = Tally::new(tz);
    // A whole campaign's visits, on the hour: the counts kept per hour and volunteer
    // (`visit_hours`, a few rows an hour) rather than every visit. An area's figures, or a
    // period bounded off the hour (a zone with half-hour offsets), count the visits themselves.
    let on_the_hour = |t: &str| t.len() == 24 && t.ends_with(":00:00.000Z");
    if scope.is_none() && on_the_hour(&b.start) && on_the_hour(&b.end) {
        crate::store::visit_hours::between(conn, &b.start[..13], &b.end[..13], |h, who, n| {
            tally.add(h, who, n)
        })?;
    } else {
        let mut stmt = conn.prepare_cached(&events)?;
        let mut rows = stmt.query(&*params(&events, b, scope))?;
        while let Some(r) = rows.next()? {
            let counts = [1, u32::from(r.get::<_, bool>(2)?), u32::from(r.get::<_, bool>(3)?)];
            tally.add(
                r.get_ref(0)?.as_str().map_err(rusqlite::Error::from)?,
                r.get_ref(1)?.as_str().map_err(rusqlite::Error::from)?,
                counts,
            );
        }
    }
    let (mut by_week, by_volunteer) = tally.finish();
    // "Yes" to a sticker counts as an agreement in its week (consents are few).
    let consents = format!(
        "SELECT substr(k.recorded_at, 1, 13), count(*) FROM consent_records k WHERE {YES_TO_A_STICKER}{} GROUP BY 1",
        scoped("k.restaurant_id", scope)
    );
    let mut stmt = conn.prepare_cached(&consents)?;
    let mut rows = stmt.query(&*params(&consents, b, scope))?;
    while let Some(r) = rows.next()? {
        if let Some(monday) = period::week_of_hour(tz, r.get_ref(0)?.as_str().map_err(rusqlite::Error::from)?)
        {
            by_week.entry(monday).or_default()[1] += r.get::<_, i64>(1)? as u32;
        }
    }
    Ok(Found {
        funnel: Funnel {
            // Counted with the states (`states`): every known restaurant has one.
            known: 0,
            contacted: contacted.len() as u32,
            agreed: agreed.len() as u32,
            sticker_placed: placed.len() as u32,
            sticker_still_up: still_up(conn, b, scope, &placed)?,
        },
        by_week,
        by_volunteer,
        contacted,
    })
}

/// Of the restaurants with a sticker placed (by row number), those seen recently; `None` when
/// no scan was ever counted.
fn still_up(
    conn: &Connection,
    b: &Bounds,
    scope: Option<&Scope>,
    placed: &HashSet<i64>,
) -> Result<Option<u32>> {
    let any: bool =
        conn.prepare_cached("SELECT EXISTS (SELECT 1 FROM scans)")?.query_row([], |r| r.get(0))?;
    if !any {
        return Ok(None);
    }
    let sql = format!("SELECT r.pk FROM restaurants r WHERE {SEEN_RECENTLY}{}", scoped("r.id", scope));
    let mut stmt = conn.prepare_cached(&sql)?;
    let mut rows = stmt.query(&*params(&sql, b, scope))?;
    let mut n = 0;
    while let Some(r) = rows.next()? {
        n += u32::from(placed.contains(&r.get::<_, i64>(0)?));
    }
    Ok(Some(n))
}

/// Each volunteer who visited in the period or owes a follow-up due by the end, by name.
pub fn volunteers(
    conn: &Connection,
    found: &Found,
    states: &[State],
    as_of: NaiveDate,
) -> Result<Vec<VolunteerFigures>> {
    let mut owed: HashMap<&str, u32> = HashMap::new();
    for s in states {
        if let (Some(who), Some(day)) = (&s.owed_by, s.follow_up_on) {
            if day <= as_of {
                *owed.entry(who.as_str()).or_default() += 1;
            }
        }
    }
    let mut out: Vec<VolunteerFigures> = crate::store::volunteers::all(conn)?
        .into_iter()
        .filter_map(|v| {
            let [visits, agreed, sticker_placed] =
                found.by_volunteer.get(v.id.as_str()).copied().unwrap_or_default();
            let follow_ups_owed = owed.get(v.id.as_str()).copied().unwrap_or(0);
            (visits + follow_ups_owed > 0).then_some(VolunteerFigures {
                id: v.id,
                name: v.display_name,
                visits,
                agreed,
                sticker_placed,
                follow_ups_owed,
            })
        })
        .collect();
    out.sort_by_key(|v| v.name.to_lowercase());
    Ok(out)
}

fn covered(
    id: AreaId,
    name: String,
    pks: &[i64],
    found: &Found,
    status_of: &HashMap<i64, Status>,
) -> AreaCoverage {
    let known: Vec<Status> = pks.iter().filter_map(|pk| status_of.get(pk).copied()).collect();
    let contacted =
        pks.iter().filter(|pk| status_of.contains_key(pk) && found.contacted.contains(pk)).count();
    let restaurants = known.len() as u32;
    AreaCoverage {
        id,
        name,
        restaurants,
        contacted: contacted as u32,
        share_contacted: if restaurants == 0 { 0.0 } else { contacted as f64 / f64::from(restaurants) },
        by_status: Status::ALL
            .into_iter()
            .map(|status| StatusCount {
                status,
                count: known.iter().filter(|s| **s == status).count() as u64,
            })
            .collect(),
    }
}

/// Every area's coverage: one pass over the restaurants' positions (an index alone), each
/// placed in its areas.
pub fn coverage(conn: &Connection, found: &Found, states: &[State]) -> Result<Vec<AreaCoverage>> {
    let areas = area_table::all(conn)?;
    if areas.is_empty() {
        return Ok(Vec::new());
    }
    let status_of: HashMap<i64, Status> = states.iter().map(|s| (s.pk, s.status)).collect();
    let index = crate::domain::area::AreaIndex::new(
        areas.iter().enumerate().map(|(i, a)| (i, a.area.clone())).collect(),
    );
    let mut inside: Vec<Vec<i64>> = vec![Vec::new(); areas.len()];
    let mut stmt =
        conn.prepare_cached("SELECT pk, lat, lon FROM restaurants INDEXED BY restaurants_position")?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let pk: i64 = r.get(0)?;
        if status_of.contains_key(&pk) {
            for &i in index.at(r.get(1)?, r.get(2)?) {
                inside[i].push(pk);
            }
        }
    }
    Ok(areas.into_iter().zip(inside).map(|(a, pks)| covered(a.id, a.name, &pks, found, &status_of)).collect())
}

/// The one area reported on (every known restaurant is in it).
pub fn coverage_of(scope: &Scope, found: &Found, states: &[State]) -> Result<AreaCoverage> {
    let status_of: HashMap<i64, Status> = states.iter().map(|s| (s.pk, s.status)).collect();
    let pks: Vec<i64> = states.iter().map(|s| s.pk).collect();
    Ok(covered(scope.id.clone(), scope.name.clone(), &pks, found, &status_of))
}
