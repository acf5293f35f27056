//! Volunteers: listed for the visit form, added on the fly.

use super::{ApiError, Refusal, Result};
use crate::api::access;
use crate::domain::permissions::Action;
use crate::domain::{Volunteer, VolunteerDraft, VolunteerId};
use crate::store::{volunteers, Store, StoreError};
use chrono::{DateTime, Utc};
use rusqlite::Connection;

pub fn list(store: &Store) -> Result<Vec<Volunteer>> {
    Ok(volunteers::all(store.conn())?)
}

pub fn add(store: &mut Store, draft: VolunteerDraft, now: DateTime<Utc>) -> Result<Volunteer> {
    let draft = draft.validate()?;
    store.write(|tx| {
        access::require(tx, Action::AddVolunteers)?;
        if volunteers::by_name(tx, &draft.display_name)?.is_some() {
            return Err(Refusal::VolunteerNameTaken { name: draft.display_name.clone() }.into());
        }
        let id = VolunteerId::generate(now);
        volunteers::insert(tx, &id, &draft, now)?;
        crate::store::outbox::event(tx, "volunteer", id.as_str(), now)?;
        Ok(volunteers::get(tx, &id)?)
    })
}

/// The volunteer with this id, or else this display name (any case): how the CLI finds the
/// volunteer a person names (`--volunteer`, `--for-volunteer`).
pub fn find(store: &Store, id_or_name: &str) -> Result<Volunteer> {
    find_in(store.conn(), id_or_name)?
        .ok_or_else(|| ApiError::NotFound { what: "volunteer", id: id_or_name.to_string() })
}

/// `find` on a connection or inside a transaction; `None` when nobody has this id or name, so a
/// caller can word its own refusal.
pub(crate) fn find_in(conn: &Connection, id_or_name: &str) -> Result<Option<Volunteer>> {
    let key = id_or_name.trim();
    match volunteers::get(conn, &VolunteerId::from(key)) {
        Ok(v) => return Ok(Some(v)),
        Err(StoreError::NotFound { .. }) => {}
        Err(e) => return Err(e.into()),
    }
    Ok(volunteers::by_name(conn, key)?)
}
