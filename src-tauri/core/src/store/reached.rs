//! What a report's funnel counts, as SQL: which restaurants were known, contacted, agreed or had
//! a sticker placed between two instants. The report (`api::report`) counts with these
//! fragments and the list, the map and the legend filter with them (`RestaurantFilter::reached`),
//! so a funnel stage clicked in the dashboard shows on the map exactly the restaurants it
//! counted. Days are the campaign's local days (`campaign_time_zone`, Europe/London by default).

use super::codec::time;
use super::{settings, Result};
use crate::domain::filter::FunnelStage;
use chrono::{DateTime, Days, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;
use rusqlite::Connection;

/// The setting that holds the campaign's time zone (an IANA name).
pub const TIME_ZONE_KEY: &str = "campaign_time_zone";
pub const DEFAULT_TIME_ZONE: Tz = chrono_tz::Europe::London;

/// The period's visits as they stand (a corrected visit is replaced by its correction), between
/// `:start` (included) and `:end` (excluded). Corrections are few: their list is read once.
pub const STANDING: &str = "v.visited_at >= :start AND v.visited_at < :end \
     AND v.id NOT IN (SELECT c.corrects FROM visits c WHERE c.corrects IS NOT NULL)";
/// The outcomes that count as an agreement.
pub const AGREED: &str = "('agreed', 'sticker_placed')";
/// A restaurant (`r`) known at `:end`: added before it, or visited before it (a sheet typed in
/// after the restaurant was imported keeps the day of its visit). Rejected proposals aside.
pub const KNOWN: &str = "r.standing != 'rejected' AND (r.created_at < :end \
     OR EXISTS (SELECT 1 FROM visits w WHERE w.restaurant_id = r.id AND w.visited_at < :end))";
/// A "display a sticker: yes" recorded in the period (consent `k`): an agreement.
pub const YES_TO_A_STICKER: &str =
    "k.kind = 'display_sticker' AND k.answer = 'yes' AND k.recorded_at >= :start AND k.recorded_at < :end";

/// How far back a scan shows a sticker is still up: the funnel's last stage, "seen recently".
pub const RECENT_DAYS: u32 = 30;

/// A restaurant (`r`) with a sticker placed there before `:end` that the campaign's web service
/// counted a scan of in the `RECENT_DAYS` days before `:end` (UTC days): a lower bound of the
/// stickers still up, since not every sticker up is scanned.
pub const SEEN_RECENTLY: &str = "r.id IN (SELECT e.restaurant_id FROM sticker_events e \
     JOIN scans sc ON sc.code = e.code \
     WHERE e.state = 'placed' AND e.at < :end AND sc.count > 0 \
       AND sc.day < date(:end) AND sc.day >= date(:end, '-30 days'))";

/// The campaign's time zone: the setting, or Europe/London.
pub fn campaign_time_zone(conn: &Connection) -> Result<Tz> {
    Ok(settings::get(conn, TIME_ZONE_KEY)?
        .and_then(|name| name.parse::<Tz>().ok())
        .unwrap_or(DEFAULT_TIME_ZONE))
}

/// The instants local days `from` to `to` (both included) run between: `start` included, `end`
/// excluded, as stored text (which sorts as time does).
#[derive(Debug, Clone)]
pub struct Bounds {
    pub start: String,
    pub end: String,
    /// How many days the period covers.
    pub days: i64,
}

impl Bounds {
    pub fn of(tz: &Tz, from: NaiveDate, to: NaiveDate) -> Bounds {
        let after = to.checked_add_days(Days::new(1)).unwrap_or(to);
        Bounds {
            start: time(day_start(tz, from)),
            end: time(day_start(tz, after)),
            days: (to - from).num_days() + 1,
        }
    }
}

/// The instant a local day starts (its first existing local time, where a clock change skips
/// midnight).
pub fn day_start(tz: &Tz, day: NaiveDate) -> DateTime<Utc> {
    let midnight = day.and_hms_opt(0, 0, 0).expect("midnight exists");
    (0..4)
        .find_map(|h| tz.from_local_datetime(&(midnight + chrono::Duration::hours(h))).earliest())
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_else(|| Utc.from_utc_datetime(&midnight))
}

/// A condition on a restaurant `r`: counted in `stage` of the funnel for the period between
/// `:start` and `:end` (named parameters the caller binds or replaces).
pub fn stage_condition(stage: FunnelStage) -> String {
    let visited = |outcomes: &str| format!("SELECT v.restaurant_id FROM visits v WHERE {STANDING}{outcomes}");
    let consented = format!("SELECT k.restaurant_id FROM consent_records k WHERE {YES_TO_A_STICKER}");
    let members = match stage {
        FunnelStage::Known => return KNOWN.to_string(),
        FunnelStage::Contacted => format!("{} UNION ALL {consented}", visited("")),
        FunnelStage::Agreed => {
            format!("{} UNION ALL {consented}", visited(&format!(" AND v.outcome IN {AGREED}")))
        }
        FunnelStage::StickerPlaced => visited(" AND v.outcome = 'sticker_placed'"),
        FunnelStage::StickerStillUp => {
            return format!(
                "{KNOWN} AND r.id IN ({}) AND {SEEN_RECENTLY}",
                visited(" AND v.outcome = 'sticker_placed'")
            )
        }
    };
    format!("{KNOWN} AND r.id IN ({members})")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seen_recently_looks_back_the_days_it_says() {
        assert!(SEEN_RECENTLY.contains(&format!("'-{RECENT_DAYS} days'")), "{SEEN_RECENTLY}");
    }
}
