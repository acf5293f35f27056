//! `tablemap demo`: a deterministic demo data set, for trying Tablemap out and for tests.

use super::CliError;
use chrono::{DateTime, Utc};
use clap::Args;
use std::path::Path;
use tablemap_core::demo;
use tablemap_core::store::Store;

#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct DemoArgs {
    #[command(subcommand)]
    command: Option<DemoCommand>,
    #[arg(long, default_value_t = demo::DEFAULT_COUNT)]
    restaurants: u32,
    #[arg(long, default_value_t = demo::DEFAULT_SEED)]
    seed: u64,
    /// Mark the generated restaurants as real data (source "generated"), so exports include
    /// them: for benchmarks and tests of exports. Never on a campaign's database.
    #[arg(long)]
    as_real: bool,
}

#[derive(Debug, clap::Subcommand)]
enum DemoCommand {
    /// Take the demo set out of this database (restaurants you visited yourself are kept).
    Remove,
}

pub(super) fn run(store: &mut Store, db: &Path, args: DemoArgs, now: DateTime<Utc>) -> Result<(), CliError> {
    if let Some(DemoCommand::Remove) = args.command {
        let r = demo::remove(store)?;
        println!(
            "removed {} demo restaurants and {} demo volunteers from {}",
            r.restaurants,
            r.volunteers,
            db.display()
        );
        if !r.kept.is_empty() {
            println!("kept {} you visited yourself, now yours: {}", r.kept.len(), r.kept.join(", "));
        }
        return Ok(());
    }
    let source = if args.as_real { demo::GENERATED } else { demo::DEMO };
    let s = demo::seed_as(store, args.restaurants, args.seed, now, source)?;
    println!(
        "seeded {} {} restaurants, {} volunteers and {} visits into {}",
        s.restaurants,
        if args.as_real { "generated (exportable)" } else { "demo" },
        s.volunteers,
        s.visits,
        db.display()
    );
    Ok(())
}
