//! The report's tables as rows of text: what the dashboard's "CSV" buttons save, through the
//! same formula-safe CSV writer as the restaurant export (`exports::csv_file`).

use super::super::{ApiError, FileAction, Result};
use super::{report, Report, ReportRequest};
use crate::store::Store;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::path::Path;
use ts_rs::TS;

/// Which of the report's tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ReportTable {
    Funnel,
    Weeks,
    Areas,
    Volunteers,
    Stickers,
    FollowUps,
}

impl ReportTable {
    pub fn as_str(self) -> &'static str {
        match self {
            ReportTable::Funnel => "funnel",
            ReportTable::Weeks => "weeks",
            ReportTable::Areas => "areas",
            ReportTable::Volunteers => "volunteers",
            ReportTable::Stickers => "stickers",
            ReportTable::FollowUps => "follow-ups",
        }
    }
}

/// The table's header and rows.
pub fn table(r: &Report, which: ReportTable) -> (Vec<&'static str>, Vec<Vec<String>>) {
    let n = |v: u32| v.to_string();
    match which {
        ReportTable::Funnel => (
            vec!["stage", "restaurants"],
            vec![
                vec!["known".into(), n(r.funnel.known)],
                vec!["contacted".into(), n(r.funnel.contacted)],
                vec!["agreed".into(), n(r.funnel.agreed)],
                vec!["sticker_placed".into(), n(r.funnel.sticker_placed)],
            ]
            .into_iter()
            .chain(r.funnel.sticker_still_up.map(|up| vec!["sticker_still_up".into(), n(up)]))
            .chain([
                vec!["declined".into(), n(r.beside.declined)],
                vec!["do_not_contact".into(), n(r.beside.do_not_contact)],
                vec!["closed".into(), n(r.beside.closed)],
            ])
            .collect(),
        ),
        ReportTable::Weeks => (
            vec!["week_of", "visits", "agreements", "stickers_placed"],
            r.weeks
                .iter()
                .map(|w| vec![w.start.to_string(), n(w.visits), n(w.agreed), n(w.sticker_placed)])
                .collect(),
        ),
        ReportTable::Areas => (
            vec!["area", "restaurants", "contacted", "share_contacted"],
            r.areas
                .iter()
                .map(|a| {
                    vec![
                        a.name.clone(),
                        n(a.restaurants),
                        n(a.contacted),
                        format!("{:.3}", a.share_contacted),
                    ]
                })
                .collect(),
        ),
        ReportTable::Volunteers => (
            vec!["volunteer", "visits", "agreements", "stickers_placed", "follow_ups_owed"],
            r.volunteers
                .iter()
                .flatten()
                .map(|v| {
                    vec![v.name.clone(), n(v.visits), n(v.agreed), n(v.sticker_placed), n(v.follow_ups_owed)]
                })
                .collect(),
        ),
        ReportTable::Stickers => (
            vec!["batch", "printed_at", "template", "in_a_drawer", "with_volunteers", "placed", "missing"],
            r.stickers
                .batches
                .iter()
                .map(|b| {
                    (b.id.clone(), b.printed_at.date_naive().to_string(), b.template_name.clone(), &b.counts)
                })
                .chain(std::iter::once(("all".into(), String::new(), String::new(), &r.stickers.all)))
                .map(|(id, at, template, c)| {
                    vec![id, at, template, n(c.printed), n(c.with_volunteer), n(c.placed), n(c.missing)]
                })
                .collect(),
        ),
        ReportTable::FollowUps => (
            vec!["follow_ups", "count"],
            vec![
                vec![format!("due on {}", r.as_of), n(r.follow_ups.due)],
                vec!["overdue".into(), n(r.follow_ups.overdue)],
                vec!["overdue by up to a week".into(), n(r.follow_ups.overdue_up_to_a_week)],
                vec!["overdue by up to a month".into(), n(r.follow_ups.overdue_up_to_a_month)],
                vec!["overdue by longer".into(), n(r.follow_ups.overdue_longer)],
            ],
        ),
    }
}

/// Writes one of the report's tables to `out` as CSV; answers how many rows.
pub fn export_csv(
    store: &Store,
    request: &ReportRequest,
    which: ReportTable,
    out: &Path,
    now: DateTime<Utc>,
) -> Result<u64> {
    let r = report(store, request, now)?;
    let (headers, rows) = table(&r, which);
    crate::exports::csv_file::write_table(out, &headers, &rows)
        .map_err(|e| ApiError::file(FileAction::Write, out, e))?;
    Ok(rows.len() as u64)
}

/// The name the file is offered under: what, and for which days.
pub fn file_name(r: &ReportRequest, which: ReportTable, store: &Store, now: DateTime<Utc>) -> String {
    let tz = super::time_zone(store).unwrap_or(chrono_tz::Europe::London);
    match r.period.days(store, &tz, now) {
        Ok((from, to)) => format!("report {} {from} to {to}", which.as_str()),
        Err(_) => format!("report {}", which.as_str()),
    }
}
