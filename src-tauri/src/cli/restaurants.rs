//! `tablemap restaurants list|add|edit|show`: one call each into `api::restaurants`, except
//! `list --all`, which pages through it.

use super::{print_table, CliError, Format};
use chrono::{DateTime, Utc};
use clap::{Args, Subcommand};
use tablemap_core::api::restaurants::{RestaurantChanges, MAX_PAGE};
use tablemap_core::api::{self, RestaurantDetail, RestaurantPage};
use tablemap_core::domain::filter::{FunnelStage, Reached};
use tablemap_core::domain::{RestaurantDraft, RestaurantFilter, RestaurantId, Standing, Status};
use tablemap_core::store::Store;

#[derive(Debug, Subcommand)]
pub enum RestaurantsCommand {
    List(ListArgs),
    /// Add a restaurant and print its id (a volunteer on a team proposes it, for an organiser to
    /// confirm or reject).
    Add(AddArgs),
    /// Confirm a volunteer's proposed restaurant (organisers and coordinators).
    Confirm {
        id: String,
    },
    /// Reject a volunteer's proposed restaurant: it leaves the map, its visits stay.
    Reject {
        id: String,
    },
    /// Change some of a restaurant's details; only the options given change ("" empties one).
    Edit(EditArgs),
    /// Erase a restaurant and everything recorded about it (visits, consent, stickers), on this
    /// computer and, on a team, everyone's at their next sync (coordinators). Asks first.
    Erase {
        id: String,
        /// Erase without asking (for scripts).
        #[arg(long)]
        yes: bool,
    },
    /// Everything Tablemap holds about a restaurant, for its owner: FILE.json (every field,
    /// visit, consent answer with who and when, sticker, area) or FILE.pdf (one page to hand over).
    Export {
        id: String,
        #[arg(long, value_name = "FILE.json|FILE.pdf")]
        out: std::path::PathBuf,
    },
    /// Show one restaurant with its status, visits and consents.
    Show {
        id: String,
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
}

#[derive(Debug, Args)]
pub struct ListArgs {
    /// Keep only this status (repeat for several).
    #[arg(long, value_parser = parse_status)]
    status: Vec<Status>,
    /// Words to find in name, address, postcode or cuisine.
    #[arg(long)]
    search: Option<String>,
    /// Keep only restaurants with this cuisine.
    #[arg(long)]
    cuisine: Option<String>,
    /// Keep only restaurants this volunteer (name or id) has visited.
    #[arg(long)]
    volunteer: Option<String>,
    /// Keep only restaurants whose follow-up is due today or overdue.
    #[arg(long)]
    follow_up_due: bool,
    /// Keep only restaurants inside this area (name or id).
    #[arg(long)]
    area: Option<String>,
    /// Keep the restaurants `tablemap report` counts in this funnel stage between --from and
    /// --to (local days, both included): known, contacted, agreed or sticker_placed.
    #[arg(long, value_parser = parse_stage, requires_all = ["from", "to"])]
    reached: Option<FunnelStage>,
    /// The first day for --reached, YYYY-MM-DD.
    #[arg(long, requires = "reached")]
    from: Option<chrono::NaiveDate>,
    /// The last day for --reached, YYYY-MM-DD, included.
    #[arg(long, requires = "reached")]
    to: Option<chrono::NaiveDate>,
    #[arg(long, value_enum, default_value_t)]
    format: Format,
    /// How many to show (500 by default; page on with --offset, or take every one with --all).
    #[arg(long, default_value_t = MAX_PAGE, value_parser = parse_limit, conflicts_with = "all")]
    limit: u32,
    /// How many to skip first, in name order.
    #[arg(long, default_value_t = 0)]
    offset: u32,
    /// Every restaurant that matches (after --offset), however many.
    #[arg(long)]
    all: bool,
}

#[derive(Debug, Args)]
pub struct AddArgs {
    #[arg(long)]
    name: String,
    #[arg(long, allow_hyphen_values = true)]
    lat: f64,
    #[arg(long, allow_hyphen_values = true)]
    lon: f64,
    #[arg(long)]
    address: Option<String>,
    #[arg(long)]
    postcode: Option<String>,
    /// A cuisine (repeat, or separate with ';').
    #[arg(long)]
    cuisine: Vec<String>,
    /// A language spoken (repeat, or separate with ';').
    #[arg(long)]
    language: Vec<String>,
    /// Opening hours in OpenStreetMap syntax, e.g. "Mo-Sa 12:00-22:00".
    #[arg(long)]
    opening_hours: Option<String>,
    #[arg(long)]
    phone: Option<String>,
    #[arg(long)]
    website: Option<String>,
}

#[derive(Debug, Args)]
pub struct EditArgs {
    id: String,
    #[arg(long)]
    name: Option<String>,
    #[arg(long)]
    address: Option<String>,
    #[arg(long)]
    postcode: Option<String>,
    #[arg(long)]
    opening_hours: Option<String>,
    #[arg(long)]
    phone: Option<String>,
    #[arg(long)]
    website: Option<String>,
}

fn parse_status(s: &str) -> Result<Status, String> {
    s.parse()
}

fn parse_limit(s: &str) -> Result<u32, String> {
    s.trim().parse().map_err(|_| format!("'{s}' is not a number of restaurants"))
}

pub(super) fn run(
    store: &mut Store,
    command: RestaurantsCommand,
    now: DateTime<Utc>,
) -> Result<(), CliError> {
    match command {
        RestaurantsCommand::List(args) => list(store, args, now),
        RestaurantsCommand::Add(args) => add(store, args, now),
        RestaurantsCommand::Edit(args) => edit(store, args, now),
        RestaurantsCommand::Confirm { id } => decide(store, &id, Standing::Confirmed, now),
        RestaurantsCommand::Reject { id } => decide(store, &id, Standing::Rejected, now),
        RestaurantsCommand::Erase { id, yes } => erase(store, &id, yes, now),
        RestaurantsCommand::Export { id, out } => {
            let id = RestaurantId::from(id.as_str());
            let r = match out.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase).as_deref() {
                Some("json") => api::restaurant_record::export_json(store, &id, &out, now)?,
                Some("pdf") => api::restaurant_record::export_pdf(store, &id, &out, now)?,
                _ => {
                    return Err(CliError::Usage(format!(
                        "{}: name a .json file (everything, for a program) or a .pdf file (one page for the owner)",
                        out.display()
                    )))
                }
            };
            println!(
                "wrote {} ({}: {} visits, {} consent answers, {} sticker events)",
                out.display(),
                r.restaurant.name,
                r.visits.len(),
                r.consents.len(),
                r.stickers.len()
            );
            Ok(())
        }
        RestaurantsCommand::Show { id, format } => {
            let d = api::restaurants::detail(store, &RestaurantId::from(id.as_str()))?;
            match format {
                Format::Json => println!("{}", serde_json::to_string_pretty(&d)?),
                Format::Table => print_detail(&d),
            }
            Ok(())
        }
    }
}

fn erase(store: &mut Store, id: &str, yes: bool, now: DateTime<Utc>) -> Result<(), CliError> {
    let id = RestaurantId::from(id);
    let d = api::restaurants::detail(store, &id)?;
    if !yes {
        let question = format!(
            "Erase {} and everything recorded about it ({} visits, its consent answers and sticker \
             history)? This cannot be undone; backups made before keep it. [y/N] ",
            d.restaurant.name,
            d.visits.len()
        );
        if !super::output::confirm(&question, "erase")? {
            return Ok(());
        }
    }
    let e = api::erase::restaurant(store, &id, now)?;
    println!(
        "erased {} with {} visits, {} consent answers and {} sticker events; {} geocoding answers and \
         {} team changes that named it are gone too",
        d.restaurant.name, e.visits, e.consents, e.sticker_events, e.geocoding_answers, e.team_changes
    );
    if api::sync::status(store)?.joined {
        println!("the team hears of it at the next sync, and every member's copy is erased when they sync");
    }
    Ok(())
}

fn parse_stage(s: &str) -> Result<FunnelStage, String> {
    serde_json::from_value(serde_json::Value::String(s.trim().to_string())).map_err(|_| {
        format!("'{s}' is not a stage: known, contacted, agreed, sticker_placed or sticker_still_up")
    })
}

fn list(store: &Store, args: ListArgs, now: DateTime<Utc>) -> Result<(), CliError> {
    let area_id = match args.area {
        Some(a) => Some(api::areas::summary(store, &a, now)?.id),
        None => None,
    };
    let volunteer_id = match args.volunteer {
        Some(v) => Some(api::volunteers::find(store, &v)?.id),
        None => None,
    };
    let filter = RestaurantFilter {
        search: args.search,
        statuses: args.status,
        cuisine: args.cuisine,
        volunteer_id,
        follow_up_due_by: args.follow_up_due.then(|| chrono::Local::now().date_naive()),
        area_id,
        reached: match (args.reached, args.from, args.to) {
            (Some(stage), Some(from), Some(to)) => Some(Reached { stage, from, to }),
            _ => None,
        },
    };
    let page = pages(store, &filter, args.offset, (!args.all).then_some(args.limit))?;
    match args.format {
        Format::Json => println!("{}", serde_json::to_string_pretty(&page.items)?),
        Format::Table => {
            let rows: Vec<[String; 4]> = page
                .items
                .iter()
                .map(|r| {
                    [
                        r.id.to_string(),
                        if r.proposed { format!("{} (proposed)", r.status) } else { r.status.to_string() },
                        r.name.clone(),
                        r.postcode.clone().unwrap_or_default(),
                    ]
                })
                .collect();
            print_table(&["ID", "STATUS", "NAME", "POSTCODE"], &rows);
            if let Some(hint) = left_out(args.offset, page.items.len(), page.total) {
                println!("{hint}");
            }
        }
    }
    Ok(())
}

/// Up to `limit` matches (every one when `None`) from `offset` on, read `MAX_PAGE` at a time
/// (the most one API call answers), so a large `--limit` is honoured, never cut.
fn pages(
    store: &Store,
    filter: &RestaurantFilter,
    offset: u32,
    limit: Option<u32>,
) -> Result<RestaurantPage, CliError> {
    let want = |have: usize| limit.map_or(MAX_PAGE, |l| l.saturating_sub(have as u32).min(MAX_PAGE));
    let mut page = api::restaurants::list(store, filter, want(0), offset)?;
    let mut last = page.items.len();
    while last == MAX_PAGE as usize && want(page.items.len()) > 0 {
        let at = offset.saturating_add(u32::try_from(page.items.len()).unwrap_or(u32::MAX));
        let next = api::restaurants::list(store, filter, want(page.items.len()), at)?;
        last = next.items.len();
        page.total = next.total;
        page.items.extend(next.items);
    }
    Ok(page)
}

/// A line under the table when it shows fewer than all the matches: which ones it shows, and
/// how to see the rest. `None` when nothing was left out.
fn left_out(offset: u32, shown: usize, total: u64) -> Option<String> {
    let shown = shown as u64;
    if shown >= total {
        return None;
    }
    let last = u64::from(offset) + shown;
    let which = match shown {
        0 => format!("none of {total} shown"),
        _ => format!("{}–{last} of {total} shown", u64::from(offset) + 1),
    };
    let rest = match (shown, last < total) {
        (1.., true) => {
            format!("; the next with --offset {last}, every one with --all, or narrow with --search")
        }
        (0, true) => "; every one with --all, or narrow with --search".to_string(),
        (_, false) => String::new(),
    };
    Some(format!("({which}{rest})"))
}

fn add(store: &mut Store, args: AddArgs, now: DateTime<Utc>) -> Result<(), CliError> {
    let draft = RestaurantDraft {
        name: args.name,
        address: args.address,
        postcode: args.postcode,
        lat: args.lat,
        lon: args.lon,
        cuisines: args.cuisine,
        languages: args.language,
        opening_hours: args.opening_hours,
        phone: args.phone,
        website: args.website,
    };
    let detail = api::restaurants::add(store, draft, now)?;
    println!("{}", detail.restaurant.id);
    if detail.restaurant.standing == Standing::Proposed {
        eprintln!("proposed: an organiser or coordinator confirms or rejects it after your next sync");
    }
    Ok(())
}

fn decide(store: &mut Store, id: &str, decision: Standing, now: DateTime<Utc>) -> Result<(), CliError> {
    let detail = api::restaurants::decide(store, &RestaurantId::from(id), decision, now)?;
    println!("{} {}", detail.restaurant.name, decision.as_str());
    Ok(())
}

fn edit(store: &mut Store, args: EditArgs, now: DateTime<Utc>) -> Result<(), CliError> {
    let changes = RestaurantChanges {
        name: args.name,
        address: args.address,
        postcode: args.postcode,
        opening_hours: args.opening_hours,
        phone: args.phone,
        website: args.website,
    };
    let detail = api::restaurants::edit(store, &RestaurantId::from(args.id.as_str()), changes, now)?;
    println!("updated {}", detail.restaurant.name);
    Ok(())
}

fn print_detail(d: &RestaurantDetail) {
    let r = &d.restaurant;
    let field = |k: &str, v: &str| println!("{k:<14} {v}");
    field("id", r.id.as_str());
    field("name", &r.name);
    field("status", d.summary.status.as_str());
    if r.standing != Standing::Confirmed {
        field("standing", r.standing.as_str());
    }
    field("address", r.address.as_deref().unwrap_or("-"));
    field("postcode", r.postcode.as_deref().unwrap_or("-"));
    field("position", &format!("{:.6}, {:.6}", r.lat, r.lon));
    field("cuisines", &r.cuisines.join(", "));
    field("languages", &r.languages.join(", "));
    field("opening hours", r.opening_hours.as_deref().unwrap_or("-"));
    field("follow-up", &d.summary.follow_up_on.map(|d| d.to_string()).unwrap_or_else(|| "-".into()));
    println!("\nvisits ({}):", d.visits.len());
    for v in &d.visits {
        let mut line = format!(
            "  {}  {:<18} {:<12} stickers {}",
            v.visited_at.format("%Y-%m-%d %H:%M"),
            v.outcome.as_str(),
            v.volunteer_name,
            v.stickers_left
        );
        if let Some(c) = &v.corrects {
            line.push_str(&format!("  (corrects {c})"));
        }
        if v.corrected_by.is_some() {
            line.push_str("  (corrected)");
        }
        println!("{line}  [{}]", v.id);
        if let Some(n) = &v.note {
            println!("      {n}");
        }
    }
}
