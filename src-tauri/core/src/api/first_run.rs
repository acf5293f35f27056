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

/// Opens (and on first use seeds) the demo database beside `real`.
pub fn open_demo(real: &Path, now: DateTime<Utc>) -> Result<Store> {
    let mut demo = Store::open(&demo_path(real))?;
    if restaurants::count(demo.conn())? == 0 {
        crate::demo::seed(&mut demo, crate::demo::DEFAULT_COUNT, crate::demo::DEFAULT_SEED, now)?;
    }
    Ok(demo)
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

/// The person's answer to the offer to take out the old demo set (asked once).
pub fn answer_old_demo(
    store: &mut Store,
    remove: bool,
    now: DateTime<Utc>,
) -> Result<demo_rows::DemoRemoved> {
    let removed = if remove { crate::demo::remove(store)? } else { demo_rows::DemoRemoved::default() };
    store.write(|tx| settings::set(tx, OFFER_ANSWERED, &now.to_rfc3339()))?;
    Ok(removed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_choice_then_the_campaign_and_the_demo_apart() {
        let dir = tempfile::tempdir().expect("dir");
        let real_path = dir.path().join("tablemap.sqlite");
        let mut real = Store::open(&real_path).expect("store");
        let now = Utc::now();
        assert_eq!(
            status(&real, false).expect("status"),
            FirstRun { choose: true, demo: false, old_demo: 0 }
        );

        let demo = open_demo(&real_path, now).expect("demo");
        assert_eq!(restaurants::count(demo.conn()).expect("count"), 60);
        assert_eq!(restaurants::count(real.conn()).expect("count"), 0, "nothing fake in the real database");
        assert!(!status(&real, true).expect("status").choose, "no question while looking at the demo");
        drop(demo);
        // Opened again, the demo database is not seeded twice.
        assert_eq!(restaurants::count(open_demo(&real_path, now).expect("again").conn()).expect("count"), 60);

        assert!(start(&mut real, "Migrants Contribute", "not a web address", now).is_err());
        start(&mut real, "Migrants Contribute", "https://migrantscontribute.example/s", now).expect("start");
        assert_eq!(
            status(&real, false).expect("status"),
            FirstRun { choose: false, demo: false, old_demo: 0 }
        );
        assert_eq!(crate::api::stickers::campaign(&real).expect("campaign").name, "Migrants Contribute");
    }

    #[test]
    fn an_old_demo_set_is_offered_for_removal_once() {
        let mut store = Store::open_in_memory().expect("store");
        let now = Utc::now();
        crate::demo::seed(&mut store, 10, 1, now).expect("demo");
        assert_eq!(status(&store, false).expect("status").old_demo, 0, "a demo set asked for is not offered");
        // As an older Tablemap left it: the same rows, without the mark.
        store.conn().execute("DELETE FROM settings WHERE key = ?1", [OFFER_ANSWERED]).expect("older");
        assert_eq!(status(&store, false).expect("status").old_demo, 10);
        let removed = answer_old_demo(&mut store, true, now).expect("remove");
        assert_eq!(removed.restaurants, 10);
        assert_eq!(status(&store, false).expect("status").old_demo, 0);
    }
}
