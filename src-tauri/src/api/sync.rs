//! Team sync as use-cases: join a team (stores the connection; sends nothing), sync now (push
//! the outbox, then pull), and the status the window keeps visible.

use super::Result;
use crate::domain::{VolunteerDraft, VolunteerId};
use crate::store::{outbox, volunteers, Store};
use crate::sync::pull::{self, Pulled};
use crate::sync::push::{self, Pushed};
use crate::sync::{SyncError, TeamConnection};
use chrono::{DateTime, Utc};
use serde::Serialize;

/// Joins the team a join code names: keeps the connection in this database and adds the
/// person as a volunteer here under their team id. Nothing is sent until a sync.
pub fn join(store: &mut Store, code: &str, now: DateTime<Utc>) -> Result<TeamConnection> {
    let team = TeamConnection::from_join_code(code)?;
    let json = serde_json::to_string(&team).map_err(|e| super::ApiError::Conflict(e.to_string()))?;
    store.write(|tx| -> Result<()> {
        let id = VolunteerId(team.volunteer_id.clone());
        if volunteers::get(tx, &id).is_err() {
            let mut name = team.name.clone();
            let mut n = 2;
            while volunteers::by_name(tx, &name)?.is_some() {
                name = format!("{} ({n})", team.name);
                n += 1;
            }
            volunteers::insert(
                tx,
                &id,
                &VolunteerDraft { display_name: name, contact: None }.validate()?,
                now,
            )?;
        }
        let first = !outbox::sharing(tx)?;
        outbox::set_state(tx, "team", &json)?;
        // A new team starts from the beginning of its history.
        outbox::clear_state(tx, "cursor")?;
        if first {
            // What was recorded before joining goes to the team too (the joiner is on the server
            // already: `server add-user` put them there).
            outbox::share_existing(tx, now)?;
        }
        Ok(())
    })?;
    Ok(team)
}

/// The joined team, if any.
pub fn team(store: &Store) -> Result<Option<TeamConnection>> {
    match outbox::state(store.conn(), "team")? {
        Some(json) => Ok(Some(serde_json::from_str(&json).map_err(|_| {
            crate::store::StoreError::Corrupt { what: "sync_state.team", value: "team".into() }
        })?)),
        None => Ok(None),
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SyncReport {
    pub pushed: usize,
    pub refused: Vec<String>,
    pub pulled_restaurants: usize,
    pub pulled_fields: usize,
    pub pulled_visits: usize,
    pub pulled_consents: usize,
    pub pulled_reviews: usize,
}

/// One sync: push everything waiting, then pull. A failure is kept as the last error.
pub fn sync(store: &mut Store, now: DateTime<Utc>) -> Result<SyncReport> {
    let result = sync_once(store, now);
    let (key, value) = match &result {
        Ok(_) => ("last_sync", crate::store::codec_text_time(now)),
        Err(e) => ("last_error", e.to_string()),
    };
    store.write(|tx| -> Result<()> {
        outbox::set_state(tx, key, &value)?;
        if result.is_ok() {
            outbox::clear_state(tx, "last_error")?;
        }
        Ok(())
    })?;
    result
}

fn sync_once(store: &mut Store, now: DateTime<Utc>) -> Result<SyncReport> {
    let team = team(store)?.ok_or(SyncError::NotJoined)?;
    let mut client = team.connect()?;
    let Pushed { sent, refused } = push::push(store, &mut client, None)?;
    let Pulled { restaurants, fields, visits, consents, reviews } = pull::pull(store, &mut client, now)?;
    Ok(SyncReport {
        pushed: sent,
        refused,
        pulled_restaurants: restaurants,
        pulled_fields: fields,
        pulled_visits: visits,
        pulled_consents: consents,
        pulled_reviews: reviews,
    })
}

/// What the window's sync badge shows.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SyncStatus {
    pub joined: bool,
    pub server: Option<String>,
    pub name: Option<String>,
    pub role: Option<String>,
    /// Changes not yet on the team server.
    pub waiting: u64,
    /// Changes the server refused (each with its reason in `refusals`).
    pub refused: u64,
    pub refusals: Vec<String>,
    pub last_sync: Option<String>,
    pub last_error: Option<String>,
}

pub fn status(store: &Store) -> Result<SyncStatus> {
    let conn = store.conn();
    let team = team(store)?;
    let (waiting, refused) = outbox::counts(conn)?;
    Ok(SyncStatus {
        joined: team.is_some(),
        server: team.as_ref().map(|t| format!("{}:{}/{}", t.host, t.port, t.dbname)),
        name: team.as_ref().map(|t| t.name.clone()),
        role: team.as_ref().map(|t| t.role.clone()),
        waiting,
        refused,
        refusals: outbox::refusals(conn)?.into_iter().map(|(_, _, r)| r).collect(),
        last_sync: outbox::state(conn, "last_sync")?,
        last_error: outbox::state(conn, "last_error")?,
    })
}
