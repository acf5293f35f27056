//! The window's first run: look around with demo data (a separate demo database, never the
//! campaign's) or start the campaign (its name and web address asked first). And, once, for a
//! database an older Tablemap seeded with the demo set: the offer to take it out.

use super::Result;
use crate::store::{demo_rows, restaurants, settings, Store};
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::path::{Path, PathBuf};
use ts_rs::TS;

const STARTED: &str = "campaign_started";
/// Set once the person answered the offer to take out an older version's demo set, and by
/// `demo::seed` itself: a demo set asked for now is not offered for removal.
pub const OFFER_ANSWERED: &str = "demo_offer_answered";

/// What the window asks when it opens.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct FirstRun {
    /// Nothing chosen yet: show the choice (demo data, or start the campaign).
    pub choose: bool,
    /// The window shows the demo database.
    pub demo: bool,
    /// Demo restaurants an older Tablemap left in this (real) database, not yet offered for removal.
    #[ts(type = "number")]
    pub old_demo: u64,
}

/// The demo database beside `real` (never `real` itself).
pub fn demo_path(real: &Path) -> PathBuf {
    real.with_file_name("tablemap-demo.sqlite")
}

/// What the window should ask, for the real database `store`.
pub fn status(store: &Store, demo: bool) -> Result<FirstRun> {
    let conn = store.conn();
    // A joined database is the team's campaign, even before its first pull.
    let started =
        settings::get(conn, STARTED)?.is_some() || crate::store::outbox::state(conn, "team")?.is_some();
    let empty = restaurants::count(conn)? == 0;
    let answered = settings::get(conn, OFFER_ANSWERED)?.is_some();
    Ok(FirstRun {
        choose: !demo && !started && empty,
        demo,
        old_demo: if demo || answered { 0 } else { demo_rows::count(conn)? },
    })
}

/// Starts the campaign in the real database: its name and web address, checked and saved.
pub fn start(store: &mut Store, name: &str, base_url: &str, now: DateTime<Utc>) -> Result<()> {
    let mut campaign = super::stickers::campaign(store)?;
    campaign.name = name.trim().to_string();
    campaign.base_url = base_url.trim().to_string();
    super::stickers::save_campaign(store, campaign, now)?;
    store.write(|tx| settings::set(tx, STARTED, &now.to_rfc3339()))?;
    Ok(())
}
