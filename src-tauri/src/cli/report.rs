//! `tablemap report`: the campaign's figures for a month or any two days, as a table or JSON
//! (the same `api::report` the dashboard shows), and with `--out` the meeting's PDF.

use super::{print_table, CliError, Format};
use chrono::{DateTime, NaiveDate, Utc};
use clap::Args;
use tablemap_core::api;
use tablemap_core::api::report::{Period, Report, ReportRequest};
use tablemap_core::store::Store;

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// A calendar month, YYYY-MM (the default: this month so far).
    #[arg(long, conflicts_with_all = ["from", "to"])]
    month: Option<String>,
    /// The first day, YYYY-MM-DD (with --to).
    #[arg(long, requires = "to")]
    from: Option<NaiveDate>,
    /// The last day, YYYY-MM-DD, included.
    #[arg(long, requires = "from")]
    to: Option<NaiveDate>,
    /// From the first restaurant or visit recorded to today.
    #[arg(long, conflicts_with_all = ["month", "from", "to"])]
    campaign: bool,
    /// Only the restaurants inside this area (its name or id).
    #[arg(long)]
    area: Option<String>,
    /// Add each volunteer's figures (coordinators).
    #[arg(long)]
    with_volunteers: bool,
    #[arg(long, value_enum, default_value_t)]
    format: Format,
    /// Also write the report for the meeting as a PDF (one or two A4 pages, counts only).
    #[arg(long, value_name = "FILE.pdf")]
    out: Option<std::path::PathBuf>,
}

pub(super) fn run(store: &Store, args: ReportArgs, now: DateTime<Utc>) -> Result<(), CliError> {
    let period = match (args.month, args.from, args.to) {
        _ if args.campaign => Period::Campaign,
        (Some(month), _, _) => Period::Month { month },
        (None, Some(from), Some(to)) => Period::Days { from, to },
        _ => Period::ThisMonth,
    };
    let request = ReportRequest { period, area: args.area, with_volunteers: args.with_volunteers };
    let r = match &args.out {
        Some(out) => {
            let written = api::report::write_pdf(store, &request, now, out)?;
            eprintln!("wrote {} ({} pages)", written.out.display(), written.pages);
            written.report
        }
        None => api::report::report(store, &request, now)?,
    };
    match args.format {
        Format::Json => println!("{}", serde_json::to_string_pretty(&r)?),
        Format::Table => print_report(&r),
    }
    Ok(())
}

fn print_report(r: &Report) {
    let place = r.area.as_deref().map(|a| format!(", {a}")).unwrap_or_default();
    println!("{}: {} to {}{place} (statuses as of {}, {})", r.campaign, r.from, r.to, r.as_of, r.time_zone);
    println!();
    let f = &r.funnel;
    print_table(
        &["KNOWN", "CONTACTED", "AGREED", "STICKER PLACED", "DECLINED", "DO NOT CONTACT", "CLOSED"],
        &[[
            f.known.to_string(),
            f.contacted.to_string(),
            f.agreed.to_string(),
            f.sticker_placed.to_string(),
            r.beside.declined.to_string(),
            r.beside.do_not_contact.to_string(),
            r.beside.closed.to_string(),
        ]],
    );
    if let Some(up) = f.sticker_still_up {
        println!(
            "seen recently: {up} of the {} with a sticker placed had one scanned in the 30 days before the end \
             (a lower bound: not every sticker up is scanned)",
            f.sticker_placed
        );
    }
    println!();
    let weeks: Vec<[String; 4]> = r
        .weeks
        .iter()
        .map(|w| {
            [w.start.to_string(), w.visits.to_string(), w.agreed.to_string(), w.sticker_placed.to_string()]
        })
        .collect();
    print_table(&["WEEK OF", "VISITS", "AGREEMENTS", "STICKERS PLACED"], &weeks);
    if !r.areas.is_empty() {
        println!();
        let areas: Vec<[String; 4]> = r
            .areas
            .iter()
            .map(|a| {
                [
                    a.name.clone(),
                    a.restaurants.to_string(),
                    a.contacted.to_string(),
                    format!("{:.0}%", a.share_contacted * 100.0),
                ]
            })
            .collect();
        print_table(&["AREA", "RESTAURANTS", "CONTACTED", "SHARE"], &areas);
    }
    if let Some(volunteers) = &r.volunteers {
        println!();
        let rows: Vec<[String; 5]> = volunteers
            .iter()
            .map(|v| {
                [
                    v.name.clone(),
                    v.visits.to_string(),
                    v.agreed.to_string(),
                    v.sticker_placed.to_string(),
                    v.follow_ups_owed.to_string(),
                ]
            })
            .collect();
        print_table(&["VOLUNTEER", "VISITS", "AGREEMENTS", "STICKERS PLACED", "FOLLOW-UPS OWED"], &rows);
    } else {
        println!();
        println!("{} volunteers visited in the period.", r.active_volunteers);
    }
    println!();
    let s = &r.stickers.all;
    println!(
        "Stickers: {} in the drawer, {} with volunteers, {} placed, {} missing ({} batches).",
        s.printed,
        s.with_volunteer,
        s.placed,
        s.missing,
        r.stickers.batches.len()
    );
    let u = &r.follow_ups;
    println!(
        "Follow-ups: {} due on {}, {} overdue ({} by up to a week, {} by up to a month, {} longer).",
        u.due, r.as_of, u.overdue, u.overdue_up_to_a_week, u.overdue_up_to_a_month, u.overdue_longer
    );
}
