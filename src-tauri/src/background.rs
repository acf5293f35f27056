//! The window's background sync: one thread with its own connection to the database file that
//! syncs every minute while a team is joined, soon after a local change, and at once when asked
//! ("Sync now"). It reports the status before and after each sync; it never blocks the window
//! (the window's own connection sees the pulled rows through SQLite).

use chrono::Utc;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError, Sender};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};
use tablemap_core::api::sync::{self, SyncReport, SyncStatus};
use tablemap_core::store::Store;

/// How often a joined window syncs on its own, and how soon after a local change.
#[derive(Debug, Clone, Copy)]
pub struct Timing {
    pub every: Duration,
    pub after_change: Duration,
}

impl Default for Timing {
    fn default() -> Self {
        Timing { every: Duration::from_secs(60), after_change: Duration::from_secs(10) }
    }
}

enum Ask {
    Now,
    Soon,
    /// A new interval between timed syncs (the setting changed).
    Every(Duration),
}

/// What the thread tells the window: the status, and the report (or error) of a sync just run.
pub type Report = Box<dyn Fn(SyncStatus, Option<Result<SyncReport, String>>) + Send>;

pub struct Background {
    ask: Sender<Ask>,
    running: Arc<AtomicBool>,
    /// Turns taken so far (timed or asked), joined or not.
    turns: Arc<std::sync::atomic::AtomicUsize>,
    thread: Option<JoinHandle<()>>,
}

impl Background {
    pub fn start(db: PathBuf, timing: Timing, report: Report) -> Background {
        let (ask, asked) = mpsc::channel();
        let running = Arc::new(AtomicBool::new(false));
        let flag = running.clone();
        let turns = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let counted = turns.clone();
        let mut timing = timing;
        let thread = std::thread::Builder::new()
            .name("tablemap-sync".into())
            .spawn(move || {
                let turns = counted;
                let mut store: Option<Store> = None;
                let mut next = Instant::now() + Duration::from_secs(2);
                loop {
                    let wait = next.saturating_duration_since(Instant::now());
                    let asked_now = match asked.recv_timeout(wait) {
                        Ok(Ask::Now) => true,
                        Ok(Ask::Soon) => {
                            next = next.min(Instant::now() + timing.after_change);
                            continue;
                        }
                        Ok(Ask::Every(every)) => {
                            timing.every = every;
                            next = next.min(Instant::now() + every);
                            continue;
                        }
                        Err(RecvTimeoutError::Timeout) => false,
                        Err(RecvTimeoutError::Disconnected) => return,
                    };
                    next = Instant::now() + timing.every;
                    turns.fetch_add(1, Ordering::SeqCst);
                    if store.is_none() {
                        match Store::open(&db) {
                            Ok(s) => store = Some(s),
                            Err(e) => {
                                eprintln!("tablemap: background sync cannot open the database: {e}");
                                continue;
                            }
                        }
                    }
                    let Some(s) = store.as_mut() else { continue };
                    once(s, asked_now, &flag, &report);
                }
            })
            .ok();
        Background { ask, running, turns, thread }
    }

    /// Syncs every `every` from now on.
    pub fn set_every(&self, every: Duration) {
        let _ = self.ask.send(Ask::Every(every));
    }

    /// How many turns the thread has taken (for tests and diagnostics).
    pub fn turns(&self) -> usize {
        self.turns.load(Ordering::SeqCst)
    }

    /// Sync as soon as possible.
    pub fn now(&self) {
        let _ = self.ask.send(Ask::Now);
    }

    /// Something changed here: sync within a few seconds (several changes, one sync).
    pub fn soon(&self) {
        let _ = self.ask.send(Ask::Soon);
    }

    pub fn running(&self) -> bool {
        self.running.load(Ordering::SeqCst)
    }
}

impl Drop for Background {
    fn drop(&mut self) {
        // Closing the channel ends the thread after the sync it may be running.
        let (closed, _) = mpsc::channel();
        self.ask = closed;
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// How often a running sync tells the window how far it has got.
const PROGRESS_EVERY: Duration = Duration::from_millis(250);

/// One turn: nothing unless a team is joined (an explicit ask still reports the status).
fn once(store: &mut Store, asked: bool, running: &AtomicBool, report: &Report) {
    let status = match sync::status(store) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("tablemap: background sync cannot read the sync status: {e}");
            return;
        }
    };
    if !status.joined {
        if asked {
            report(status, None);
        }
        return;
    }
    running.store(true, Ordering::SeqCst);
    report(SyncStatus { running: true, ..status.clone() }, None);
    // Progress at most a few times a second: a first sync of 60,000 changes reports a few
    // dozen times, a small one not at all past its first step.
    let mut last = Instant::now();
    let mut progress = |p: sync::SyncProgress| {
        let first_of_stage = p.done == 0;
        if first_of_stage || last.elapsed() >= PROGRESS_EVERY {
            last = Instant::now();
            report(SyncStatus { running: true, progress: Some(p), ..status.clone() }, None);
        }
    };
    let result = guarded(|| sync::sync_with(store, Utc::now(), &mut progress));
    running.store(false, Ordering::SeqCst);
    match sync::status(store) {
        Ok(status) => report(status, Some(result)),
        Err(e) => eprintln!("tablemap: background sync cannot read the sync status: {e}"),
    }
}

/// Runs one sync; a panic in it (a bug, or a server answer nobody foresaw) becomes an error the
/// status bar shows, and the thread lives on to try again at its next turn.
fn guarded(
    run: impl FnOnce() -> Result<SyncReport, tablemap_core::api::ApiError>,
) -> Result<SyncReport, String> {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(run)) {
        Ok(result) => result.map_err(|e| e.to_string()),
        Err(panic) => {
            let what = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "no reason given".into());
            Err(format!(
                "the sync stopped unexpectedly ({what}); nothing was lost and it will try again at the next turn"
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    #[test]
    fn an_unjoined_database_is_left_alone_and_an_ask_is_answered_with_its_status() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("solo.sqlite");
        Store::open(&db).unwrap();
        let heard: Arc<Mutex<Vec<(SyncStatus, bool)>>> = Arc::default();
        let sink = heard.clone();
        let timing = Timing { every: Duration::from_millis(20), after_change: Duration::from_millis(5) };
        let bg =
            Background::start(db, timing, Box::new(move |s, r| sink.lock().unwrap().push((s, r.is_some()))));
        bg.soon();
        std::thread::sleep(Duration::from_millis(150));
        assert!(heard.lock().unwrap().is_empty(), "timed turns say nothing when not joined");
        bg.now();
        let deadline = Instant::now() + Duration::from_secs(5);
        while heard.lock().unwrap().is_empty() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(10));
        }
        let got = heard.lock().unwrap().clone();
        assert_eq!(got.len(), 1);
        assert!(!got[0].0.joined && !got[0].0.running && !got[0].1, "{got:?}");
        assert!(!bg.running());
        drop(bg);
    }

    #[test]
    fn a_panicking_sync_is_an_error_and_the_next_turn_runs() {
        let panicked = guarded(|| panic!("Row::get on a NULL"));
        let words = panicked.expect_err("a panic is an error");
        assert!(words.contains("stopped unexpectedly (Row::get on a NULL)"), "{words}");
        assert!(words.contains("try again"), "{words}");
        let formatted = guarded(|| panic!("{} of {}", 3, 7)).expect_err("error");
        assert!(formatted.contains("(3 of 7)"), "{formatted}");
        let refused = guarded(|| Err(tablemap_core::api::ApiError::Cancelled)).expect_err("error");
        assert_eq!(refused, "cancelled");
    }

    #[test]
    fn a_new_interval_takes_effect_at_once() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("solo.sqlite");
        Store::open(&db).unwrap();
        let timing = Timing { every: Duration::from_secs(3600), after_change: Duration::from_secs(3600) };
        let bg = Background::start(db, timing, Box::new(|_, _| {}));
        // The first turn comes two seconds after the start, then none for an hour...
        std::thread::sleep(Duration::from_millis(2300));
        assert_eq!(bg.turns(), 1);
        // ...until the interval changes.
        bg.set_every(Duration::from_millis(20));
        let deadline = Instant::now() + Duration::from_secs(5);
        while bg.turns() < 4 && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(10));
        }
        assert!(bg.turns() >= 4, "{} turns", bg.turns());
    }
}
