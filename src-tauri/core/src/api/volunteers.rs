//! Volunteers: listed for the visit form, added on the fly.

use super::{ApiError, Result};
use crate::domain::{Volunteer, VolunteerDraft, VolunteerId};
use crate::store::{volunteers, Store};
use chrono::{DateTime, Utc};

pub fn list(store: &Store) -> Result<Vec<Volunteer>> {
    Ok(volunteers::all(store.conn())?)
}

pub fn add(store: &mut Store, draft: VolunteerDraft, now: DateTime<Utc>) -> Result<Volunteer> {
    let draft = draft.validate()?;
    store.write(|tx| {
        if volunteers::by_name(tx, &draft.display_name)?.is_some() {
            return Err(ApiError::Conflict(format!(
                "a volunteer called '{}' already exists; pick them from the list",
                draft.display_name
            )));
        }
        let id = VolunteerId::generate(now);
        volunteers::insert(tx, &id, &draft, now)?;
        crate::store::outbox::event(tx, "volunteer", id.as_str(), now)?;
        Ok(volunteers::get(tx, &id)?)
    })
}

/// The volunteer with this id or display name (any case).
pub fn find(store: &Store, id_or_name: &str) -> Result<Volunteer> {
    let all = volunteers::all(store.conn())?;
    all.into_iter()
        .find(|v| {
            v.id.as_str() == id_or_name.trim() || v.display_name.eq_ignore_ascii_case(id_or_name.trim())
        })
        .ok_or_else(|| ApiError::NotFound { what: "volunteer", id: id_or_name.to_string() })
}
