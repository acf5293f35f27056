//! `tablemap visits add`: log a visit (or a correction of one) by a volunteer named on the line.

use super::CliError;
use chrono::{DateTime, NaiveDate, Utc};
use clap::Subcommand;
use tablemap_core::api;
use tablemap_core::domain::{NewVisit, Outcome, RestaurantId, VisitId, VolunteerId};
use tablemap_core::store::Store;

#[derive(Debug, Subcommand)]
pub enum VisitsCommand {
    /// Log a visit (the volunteer is added if new). Joined to a team, a visit is your own
    /// unless you are a coordinator typing in someone else's: leave out --volunteer.
    Add {
        #[arg(long)]
        restaurant: String,
        #[arg(long)]
        volunteer: Option<String>,
        #[arg(long, value_parser = parse_outcome)]
        outcome: Outcome,
        #[arg(long, default_value_t = 0)]
        stickers: u32,
        #[arg(long)]
        note: Option<String>,
        /// Follow-up date, YYYY-MM-DD.
        #[arg(long, value_parser = parse_date)]
        follow_up: Option<NaiveDate>,
        /// When the visit happened, if not now (typing in a paper sheet): RFC 3339, e.g.
        /// 2026-06-01T14:30:00Z.
        #[arg(long, value_name = "TIME", conflicts_with = "at")]
        visited_at: Option<chrono::DateTime<chrono::Utc>>,
        /// When the visit happened, in the campaign's local time: YYYY-MM-DD (read as noon) or
        /// YYYY-MM-DDTHH:MM. Refused in the future.
        #[arg(long, value_name = "DAY[THH:MM]")]
        at: Option<String>,
        /// The id of an earlier visit this one corrects.
        #[arg(long)]
        corrects: Option<String>,
        /// With --outcome sticker_placed: the code printed on a sticker put up (repeat).
        #[arg(long)]
        sticker: Vec<String>,
    },
}

fn parse_outcome(s: &str) -> Result<Outcome, String> {
    s.parse()
}

fn parse_date(s: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
        .map_err(|_| format!("'{s}' is not a date like 2026-05-31"))
}

pub(super) fn run(store: &mut Store, command: VisitsCommand, now: DateTime<Utc>) -> Result<(), CliError> {
    let VisitsCommand::Add {
        restaurant,
        volunteer,
        outcome,
        stickers,
        note,
        follow_up,
        visited_at,
        at,
        corrects,
        sticker,
    } = command;
    let visited_at = match at {
        Some(text) => Some(api::report::local_time(store, &text)?),
        None => visited_at,
    };
    let visit = NewVisit {
        restaurant_id: RestaurantId::from(restaurant.as_str()),
        // Filled in by `record_by_name`, which finds or adds the volunteer in the same transaction.
        volunteer_id: VolunteerId::from(""),
        visited_at,
        outcome,
        stickers_left: stickers,
        note,
        follow_up_on: follow_up,
        corrects: corrects.map(|c| VisitId::from(c.as_str())),
        sticker_codes: sticker,
    };
    let d = match volunteer {
        Some(name) => api::visits::record_by_name(store, &name, visit, now)?,
        None => {
            let me = api::access::me(store.conn())?
                .volunteer_id
                .ok_or_else(|| CliError::Usage("--volunteer NAME is needed: who made the visit?".into()))?;
            api::visits::record(store, NewVisit { volunteer_id: me, ..visit }, now)?
        }
    };
    println!("{}: {}", d.restaurant.id, d.summary.status);
    Ok(())
}
