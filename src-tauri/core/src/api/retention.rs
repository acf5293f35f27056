//! Retention, as the person chose it in Settings → Privacy (or `tablemap retention`): visit
//! notes blanked after so many months, geocoding answers forgotten after so many, and the caches
//! emptied on demand. The choice lives in the database's settings; it is applied when saved,
//! when the window opens and by `tablemap retention apply`.
//!
//! On a team, a coordinator's choice of months for notes is also the team's (the campaign
//! setting `note_retention`): the server blanks older notes at every sync, and every member's
//! machine when it pulls the setting. A member's own choice can only be shorter than the team's.

use super::{access, Result};
use crate::domain::permissions::Action;
use crate::sources::tiles::TileCache;
use crate::store::retention::months_before as months_ago;
use crate::store::{outbox, retention, settings, Store};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

const KEY: &str = "retention";

/// How long things are kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Retention {
    /// Blank visit notes older than this many months; `None` keeps them.
    pub note_months: Option<u32>,
    /// Forget geocoding answers older than this many months.
    pub geocoding_months: u32,
}

impl Default for Retention {
    fn default() -> Self {
        Retention { note_months: None, geocoding_months: 12 }
    }
}

/// The choice, and what it would do now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct RetentionStatus {
    pub retention: Retention,
    /// Notes older than the chosen months (older than 12 months while notes are kept): the
    /// reminder Settings shows.
    #[ts(type = "number")]
    pub old_notes: u64,
    /// The months `old_notes` counts from.
    pub old_after_months: u32,
    /// The team's months for notes (a coordinator's choice), while on a team.
    pub team_note_months: Option<u32>,
    /// Saving the choice of months for notes sets it for the whole team (a coordinator on a team).
    pub sets_for_team: bool,
    #[ts(type = "number")]
    pub geocoding_answers: u64,
}

/// What applying the choice removed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct Applied {
    #[ts(type = "number")]
    pub notes_blanked: u64,
    #[ts(type = "number")]
    pub geocoding_forgotten: u64,
}

/// What Clear caches emptied.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct Cleared {
    #[ts(type = "number")]
    pub tiles: u64,
    #[ts(type = "number")]
    pub geocoding_answers: u64,
}

pub fn get(store: &Store) -> Result<Retention> {
    Ok(settings::get(store.conn(), KEY)?.and_then(|j| serde_json::from_str(&j).ok()).unwrap_or_default())
}

/// The shorter of two choices (`None`: notes kept).
fn shorter(a: Option<u32>, b: Option<u32>) -> Option<u32> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// Whether saving here sets the team's months: a coordinator on a team.
fn sets_for_team(store: &Store) -> Result<bool> {
    let me = access::me(store.conn())?;
    Ok(me.volunteer_id.is_some() && me.may(Action::SetTeamRetention))
}

pub fn status(store: &Store, now: DateTime<Utc>) -> Result<RetentionStatus> {
    let retention = get(store)?;
    let team_note_months = retention::team_note_months(store.conn())?;
    let old_after_months = shorter(retention.note_months, team_note_months).unwrap_or(12);
    Ok(RetentionStatus {
        retention,
        old_notes: retention::old_notes(store.conn(), months_ago(now, old_after_months))?,
        old_after_months,
        team_note_months,
        sets_for_team: sets_for_team(store)?,
        geocoding_answers: crate::store::geocode_cache::count_all(store.conn())?,
    })
}

/// Saves the choice and applies it at once; a coordinator on a team sets the team's months for
/// notes with it (sent at the next sync).
pub fn set(store: &mut Store, r: Retention, now: DateTime<Utc>) -> Result<Applied> {
    if r.note_months.is_some_and(|m| !(1..=120).contains(&m)) || !(1..=120).contains(&r.geocoding_months) {
        return Err(super::ApiError::Invalid(crate::domain::ValidationError {
            field: "retention",
            reason: "months must be between 1 and 120".into(),
        }));
    }
    let json = serde_json::to_string(&r)
        .map_err(|e| super::ApiError::Encode { what: "the retention choice", reason: e.to_string() })?;
    let for_team = sets_for_team(store)?;
    store.write(|tx| -> crate::store::Result<()> {
        settings::set(tx, KEY, &json)?;
        if for_team {
            let value = retention::team_notes_value(r.note_months);
            settings::set(tx, retention::TEAM_KEY, &value.to_string())?;
            outbox::campaign_setting(tx, retention::TEAM_KEY, &value, now)?;
        }
        Ok(())
    })?;
    apply(store, now)
}

/// Blanks old notes (the shorter of this person's months and the team's) and forgets old
/// geocoding answers, as chosen.
pub fn apply(store: &mut Store, now: DateTime<Utc>) -> Result<Applied> {
    let mut r = get(store)?;
    r.note_months = shorter(r.note_months, retention::team_note_months(store.conn())?);
    Ok(store.write(|tx| -> crate::store::Result<Applied> {
        Ok(Applied {
            notes_blanked: match r.note_months {
                Some(m) => retention::blank_notes(tx, months_ago(now, m))?,
                None => 0,
            },
            geocoding_forgotten: retention::forget_geocoding(tx, Some(months_ago(now, r.geocoding_months)))?,
        })
    })?)
}

/// Empties the tile cache (when there is one) and every geocoding answer.
pub fn clear_caches(store: &mut Store, tiles: Option<&TileCache>) -> Result<Cleared> {
    let tiles = match tiles {
        Some(t) => t.clear().map_err(|e| super::ApiError::File {
            action: super::FileAction::Write,
            path: "the tile cache".into(),
            reason: e.to_string(),
        })?,
        None => 0,
    };
    let geocoding_answers = store.write(|tx| retention::forget_geocoding(tx, None))?;
    Ok(Cleared { tiles, geocoding_answers })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notes_past_the_chosen_months_are_blanked_and_caches_clear() {
        let mut store = Store::open_in_memory().expect("store");
        let now = Utc::now();
        let (r, v) = crate::api::fixtures::zaza_and_amina(&mut store, now);
        for (months, note) in [(14, "old"), (2, "recent")] {
            crate::api::fixtures::visit(&mut store, &r, &v, months_ago(now, months), note, now);
        }
        crate::store::geocode_cache::put(
            store.conn(),
            "postcodes.io",
            "E8 1AA",
            "[51.5,-0.07]",
            months_ago(now, 13),
        )
        .expect("old answer");
        crate::store::geocode_cache::put(store.conn(), "postcodes.io", "E8 2AA", "[51.5,-0.07]", now)
            .expect("answer");

        let before = status(&store, now).expect("status");
        assert_eq!((before.old_notes, before.old_after_months, before.geocoding_answers), (1, 12, 2));
        assert_eq!(
            apply(&mut store, now).expect("apply"),
            Applied { notes_blanked: 0, geocoding_forgotten: 1 }
        );

        let applied =
            set(&mut store, Retention { note_months: Some(6), geocoding_months: 12 }, now).expect("set");
        assert_eq!(applied, Applied { notes_blanked: 1, geocoding_forgotten: 0 });
        let notes: Vec<Option<String>> = crate::api::restaurants::detail(&store, &r)
            .expect("detail")
            .visits
            .into_iter()
            .map(|v| v.note)
            .collect();
        assert!(notes.contains(&None) && notes.contains(&Some("recent".into())), "{notes:?}");
        assert!(set(&mut store, Retention { note_months: Some(0), geocoding_months: 12 }, now).is_err());

        let tiles = TileCache::open_in_memory().expect("tiles");
        assert_eq!(
            clear_caches(&mut store, Some(&tiles)).expect("clear"),
            Cleared { tiles: 0, geocoding_answers: 1 }
        );
        assert_eq!(status(&store, now).expect("status").geocoding_answers, 0);
    }
}
