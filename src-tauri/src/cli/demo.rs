//! `tablemap demo`: a deterministic demo data set, for trying Tablemap out and for tests.

use super::CliError;
use chrono::{DateTime, Utc};
use clap::Args;
use std::path::Path;
use tablemap_core::demo;
use tablemap_core::store::Store;

#[derive(Debug, Args)]
pub struct DemoArgs {
    #[arg(long, default_value_t = demo::DEFAULT_COUNT)]
    restaurants: u32,
    #[arg(long, default_value_t = demo::DEFAULT_SEED)]
    seed: u64,
}

pub(super) fn run(store: &mut Store, db: &Path, args: DemoArgs, now: DateTime<Utc>) -> Result<(), CliError> {
    let s = demo::seed(store, args.restaurants, args.seed, now)?;
    println!(
        "seeded {} restaurants, {} volunteers and {} visits into {}",
        s.restaurants,
        s.volunteers,
        s.visits,
        db.display()
    );
    Ok(())
}
