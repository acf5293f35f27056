//! Team sync as use-cases: join a team (stores the connection; sends nothing), sync now (push
//! the outbox, then pull), and the status the window keeps visible.

use super::Result;
use crate::api::access;
use crate::domain::permissions::Action;
use crate::domain::{RestaurantId, VolunteerDraft, VolunteerId};
use crate::store::{outbox, volunteers, Store};
use crate::sync::pull;
use crate::sync::push::{self, Pushed};
use crate::sync::{SyncError, TeamConnection};
use chrono::{DateTime, Utc};
use serde::Serialize;
use ts_rs::TS;

/// Joins the team a join code names: keeps the connection in this database and adds the
/// person as a volunteer here under their team id. Nothing is sent until a sync.
pub fn join(store: &mut Store, code: &str, now: DateTime<Utc>) -> Result<TeamConnection> {
    let team = TeamConnection::from_join_code(code)?;
    let json = team_json(store, &team)?;
    store.write(|tx| -> Result<()> {
        let id = VolunteerId(team.volunteer_id.clone());
        if volunteers::get(tx, &id).is_err() {
            // Someone here by the joiner's own name is the joiner, working alone until now:
            // what they recorded travels under their team id.
            if let Some(me) = volunteers::by_name(tx, &team.name)? {
                outbox::set_state(tx, &format!("alias:{}", me.id.as_str()), &team.volunteer_id)?;
            }
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

/// Leaves the team: this database keeps everything it holds, forgets the connection, and
/// stops queuing changes (what was still waiting is dropped: the team never had it). Joining
/// again later shares what is here then, as a first join does. Answers how many waiting
/// changes were dropped.
pub fn leave(store: &mut Store) -> Result<u64> {
    let login = team_login(store.conn())?;
    let dropped = store.write(|tx| -> Result<u64> {
        if !outbox::sharing(tx)? {
            return Err(SyncError::NotJoined.into());
        }
        let dropped = tx.execute("DELETE FROM outbox", [])? as u64;
        for key in ["team", "cursor", "last_sync", "last_error"] {
            outbox::clear_state(tx, key)?;
        }
        tx.execute("DELETE FROM sync_parked", [])?;
        tx.execute("DELETE FROM sync_reviews", [])?;
        Ok(dropped)
    })?;
    if let (Some(place), Some(login)) = (secret_place(store), login) {
        crate::secrets::forget_team_password(&place, &login);
    }
    Ok(dropped)
}

/// Where this database's team password is kept: beside its key (`None` for a database in
/// memory, which keeps it in its own memory).
fn secret_place(store: &Store) -> Option<crate::secrets::KeyPlace> {
    store.key()?;
    crate::secrets::current().map(|r| r.place)
}

fn team_login(conn: &rusqlite::Connection) -> Result<Option<String>> {
    Ok(outbox::state(conn, "team")?
        .and_then(|json| serde_json::from_str::<serde_json::Value>(&json).ok())
        .and_then(|v| v.get("user").and_then(serde_json::Value::as_str).map(str::to_string)))
}

/// The team connection as the database keeps it: without its password, which goes to the
/// keyring (or the key's folder) instead.
fn team_json(store: &Store, team: &TeamConnection) -> Result<String> {
    let mut kept = team.clone();
    if let Some(place) = secret_place(store) {
        crate::secrets::set_team_password(&place, &team.user, &team.password)?;
        kept.password = String::new();
    }
    serde_json::to_string(&kept).map_err(|e| super::ApiError::encode("the team connection", e))
}

/// The joined team, if any, with its password from where it is kept. A password an older
/// Tablemap left in the database moves out of it here.
pub fn team(store: &Store) -> Result<Option<TeamConnection>> {
    let Some(json) = outbox::state(store.conn(), "team")? else { return Ok(None) };
    let mut team: TeamConnection = serde_json::from_str(&json)
        .map_err(|_| crate::store::StoreError::Corrupt { what: "sync_state.team", value: "team".into() })?;
    let Some(place) = secret_place(store) else { return Ok(Some(team)) };
    if team.password.is_empty() {
        team.password = crate::secrets::team_password(&place, &team.user).ok_or(SyncError::PasswordGone)?;
    } else {
        let kept = team_json(store, &team)?;
        outbox::set_state(store.conn(), "team", &kept)?;
    }
    Ok(Some(team))
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct SyncReport {
    pub pushed: u32,
    pub refused: Vec<String>,
    pub pulled_restaurants: u32,
    pub pulled_fields: u32,
    pub pulled_visits: u32,
    pub pulled_consents: u32,
    pub pulled_reviews: u32,
    /// Print batches, sticker events, templates, areas, claims and notes new here.
    pub pulled_campaign: u32,
    /// Restaurants and volunteers a coordinator erased, erased here too.
    pub pulled_erasures: u32,
    /// Sticker scan counts (per code and day) the web service counted, new or changed here.
    pub pulled_scans: u32,
}

impl SyncReport {
    /// Whether the pull changed anything here (the window then reloads what it shows).
    pub fn pulled_anything(&self) -> bool {
        self.pulled_restaurants
            + self.pulled_fields
            + self.pulled_visits
            + self.pulled_consents
            + self.pulled_reviews
            + self.pulled_campaign
            + self.pulled_erasures
            + self.pulled_scans
            > 0
    }
}

/// Which part of a sync is running.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum SyncStage {
    /// Sending this machine's changes: `done` of `total`.
    Sending,
    /// Reading what the team wrote since the last sync (no count yet).
    Receiving,
    /// Storing what came: `done` of `total` restaurants and records.
    Applying,
}

/// How far the running sync has got (the status bar shows it for long syncs).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct SyncProgress {
    pub stage: SyncStage,
    pub done: u32,
    pub total: u32,
}

impl From<crate::sync::Step> for SyncProgress {
    fn from(step: crate::sync::Step) -> Self {
        let n = |v: usize| u32::try_from(v).unwrap_or(u32::MAX);
        match step {
            crate::sync::Step::Sent { done, total } => {
                SyncProgress { stage: SyncStage::Sending, done: n(done), total: n(total) }
            }
            crate::sync::Step::Read { total } => {
                SyncProgress { stage: SyncStage::Applying, done: 0, total: n(total) }
            }
            crate::sync::Step::Applied { done, total } => {
                SyncProgress { stage: SyncStage::Applying, done: n(done), total: n(total) }
            }
        }
    }
}

/// One sync: push everything waiting, then pull. A failure is kept as the last error.
pub fn sync(store: &mut Store, now: DateTime<Utc>) -> Result<SyncReport> {
    sync_with(store, now, &mut |_| {})
}

/// `sync`, telling `progress` how far it has got (the window's status bar).
pub fn sync_with(
    store: &mut Store,
    now: DateTime<Utc>,
    progress: &mut dyn FnMut(SyncProgress),
) -> Result<SyncReport> {
    let result = sync_once(store, now, progress);
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

fn sync_once(
    store: &mut Store,
    now: DateTime<Utc>,
    progress: &mut dyn FnMut(SyncProgress),
) -> Result<SyncReport> {
    let team = team(store)?.ok_or(SyncError::NotJoined)?;
    let mut client = team.connect()?;
    // The role is the server's: what this machine lets the person do follows it.
    let role = crate::sync::hello(&mut client)?.as_str().to_string();
    if role != team.role {
        let team = TeamConnection { role, ..team };
        let json = team_json(store, &team)?;
        store.write(|tx| outbox::set_state(tx, "team", &json))?;
    }
    let Pushed { sent, refused } = push::push_with(store, &mut client, None, &mut |s| progress(s.into()))?;
    push::apply_note_retention(&mut client, now)?;
    progress(SyncProgress { stage: SyncStage::Receiving, done: 0, total: 0 });
    let p = pull::pull_with(store, &mut client, now, &mut |s| progress(s.into()))?;
    let n = |v: usize| v as u32;
    Ok(SyncReport {
        pushed: n(sent),
        refused,
        pulled_restaurants: n(p.restaurants),
        pulled_fields: n(p.fields),
        pulled_visits: n(p.visits),
        pulled_consents: n(p.consents),
        pulled_reviews: n(p.reviews),
        pulled_campaign: n(p.campaign),
        pulled_erasures: n(p.erased),
        pulled_scans: n(p.scans),
    })
}

/// What the window's sync badge shows.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct SyncStatus {
    pub joined: bool,
    pub server: Option<String>,
    pub name: Option<String>,
    pub role: Option<String>,
    /// Changes not yet on the team server.
    pub waiting: u32,
    /// Changes the server refused (each with its reason in `refusals`).
    pub refused: u32,
    pub refusals: Vec<String>,
    /// Pulled rows waiting for something they refer to (they go in at a later sync).
    pub parked: u32,
    /// Pulled rows this machine's own checks refused, each with the reason.
    pub held: Vec<String>,
    /// The person's volunteer id on the team (the window records their visits under it).
    pub volunteer_id: Option<String>,
    /// Conflicting edits not yet cleared (pulled by coordinators only).
    pub open_reviews: u32,
    pub last_sync: Option<String>,
    pub last_error: Option<String>,
    /// A sync is running now (set by the window's background sync).
    pub running: bool,
    /// What the person at this machine may do (their role's row of the permission table;
    /// unjoined, everything): the window shows only these.
    pub allowed: Vec<Action>,
    /// How far the running sync has got (set by the window's background sync while it runs).
    pub progress: Option<SyncProgress>,
}

pub fn status(store: &Store) -> Result<SyncStatus> {
    let conn = store.conn();
    let team = team(store)?;
    let (waiting, refused) = outbox::counts(conn)?;
    let open_reviews: i64 =
        conn.query_row("SELECT count(*) FROM sync_reviews WHERE cleared_at IS NULL", [], |r| r.get(0))?;
    Ok(SyncStatus {
        joined: team.is_some(),
        server: team.as_ref().map(|t| format!("{}:{}/{}", t.host, t.port, t.dbname)),
        name: team.as_ref().map(|t| t.name.clone()),
        role: team.as_ref().map(|t| t.role.clone()),
        waiting: waiting as u32,
        refused: refused as u32,
        refusals: outbox::refusals(conn)?.into_iter().map(|(_, _, r)| r).collect(),
        parked: crate::sync::apply::parked_count(conn)? as u32,
        held: crate::sync::apply::refused(conn)?
            .into_iter()
            .map(|(kind, id, reason)| {
                format!(
                    "{} from the team ({id}) could not be kept: {reason}",
                    crate::sync::apply::kind_in_words(&kind)
                )
            })
            .collect(),
        volunteer_id: team.as_ref().map(|t| t.volunteer_id.clone()),
        open_reviews: open_reviews as u32,
        last_sync: outbox::state(conn, "last_sync")?,
        last_error: outbox::state(conn, "last_error")?,
        running: false,
        allowed: crate::domain::permissions::allowed(access::me(conn)?.role),
        progress: None,
    })
}

/// Sends the refused changes again at the next sync; answers how many.
pub fn retry_refused(store: &mut Store) -> Result<usize> {
    Ok(store.write(|tx| outbox::retry_refused(tx))?)
}

/// Drops the changes the team did not accept: each is undone here (a refused visit, consent or
/// claim is deleted, a refused edit gives way to the team's value, statuses are worked out
/// again) and the next sync reads everything from the start, so this machine shows what the
/// team has. Answers how many changes were dropped. Backups made before still hold them.
pub fn drop_refused(store: &mut Store) -> Result<usize> {
    team(store)?.ok_or(SyncError::NotJoined)?;
    let dropped = store.write(|tx| crate::store::refused::drop_all(tx))?;
    Ok(dropped.changes)
}

/// A pair of concurrent edits of one field, as the coordinator's review list shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct SyncReview {
    pub id: String,
    pub restaurant_id: RestaurantId,
    pub restaurant_name: String,
    pub field: String,
    /// The value that stands (the later edit), in words.
    pub kept: String,
    /// When the kept edit was made (RFC 3339, from its clock stamp).
    pub kept_at: String,
    /// The value it replaced, in words.
    pub other: String,
    pub other_at: String,
    pub cleared_at: Option<String>,
    pub cleared_by: Option<String>,
}

/// The review list, open ones first, then the latest cleared.
pub fn reviews(store: &Store) -> Result<Vec<SyncReview>> {
    let mut stmt = store.conn().prepare(
        "SELECT v.id, v.restaurant_id, coalesce(r.name, v.restaurant_id), v.field, v.kept_value, v.kept_hlc, \
         v.other_value, v.other_hlc, v.cleared_at, coalesce(p.display_name, v.cleared_by) FROM sync_reviews v \
         LEFT JOIN restaurants r ON r.id = v.restaurant_id LEFT JOIN volunteers p ON p.id = v.cleared_by \
         ORDER BY v.cleared_at IS NOT NULL, v.cleared_at DESC, v.kept_hlc DESC LIMIT 500",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok(SyncReview {
            id: r.get(0)?,
            restaurant_id: RestaurantId(r.get(1)?),
            restaurant_name: r.get(2)?,
            field: r.get(3)?,
            kept: in_words(&r.get::<_, String>(4)?),
            kept_at: stamp_time(&r.get::<_, String>(5)?),
            other: in_words(&r.get::<_, String>(6)?),
            other_at: stamp_time(&r.get::<_, String>(7)?),
            cleared_at: r.get(8)?,
            cleared_by: r.get(9)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>().map_err(crate::store::StoreError::from)?)
}

/// A coordinator has looked at a review: cleared here now, and on the server at the next sync.
pub fn clear_review(store: &mut Store, id: &str, now: DateTime<Utc>) -> Result<Vec<SyncReview>> {
    let team = team(store)?.ok_or(SyncError::NotJoined)?;
    access::require(store.conn(), Action::Review)?;
    store.write(|tx| -> Result<()> {
        let at = crate::store::codec_text_time(now);
        let n = tx.execute(
            "UPDATE sync_reviews SET cleared_at = ?2, cleared_by = ?3 WHERE id = ?1 AND cleared_at IS NULL",
            rusqlite::params![id, at, team.volunteer_id],
        )?;
        if n == 0 {
            return Err(super::ApiError::NotFound { what: "open review", id: id.to_string() });
        }
        outbox::review_cleared(tx, id, &team.volunteer_id, &at, now)?;
        Ok(())
    })?;
    reviews(store)
}

/// A field value as stored on the server (JSON) in words: text as it is, a position as
/// "lat, lon", a list joined with commas, nothing as "(empty)".
fn in_words(json: &str) -> String {
    match serde_json::from_str::<serde_json::Value>(json) {
        Ok(serde_json::Value::Null) => "(empty)".into(),
        Ok(serde_json::Value::String(s)) if s.is_empty() => "(empty)".into(),
        Ok(serde_json::Value::String(s)) => s,
        Ok(serde_json::Value::Array(items)) if items.len() == 2 && items.iter().all(|i| i.is_f64()) => {
            format!("{:.5}, {:.5}", items[0].as_f64().unwrap_or(0.0), items[1].as_f64().unwrap_or(0.0))
        }
        Ok(serde_json::Value::Array(items)) if items.is_empty() => "(empty)".into(),
        Ok(serde_json::Value::Array(items)) => items
            .iter()
            .map(|i| i.as_str().map_or_else(|| i.to_string(), str::to_string))
            .collect::<Vec<_>>()
            .join(", "),
        Ok(other) => other.to_string(),
        Err(_) => json.to_string(),
    }
}

/// The wall-clock time in a clock stamp.
fn stamp_time(hlc: &str) -> String {
    hlc.parse::<crate::domain::hlc::Hlc>()
        .ok()
        .and_then(|h| DateTime::<Utc>::from_timestamp_millis(h.millis as i64))
        .map_or_else(|| hlc.to_string(), crate::store::codec_text_time)
}
